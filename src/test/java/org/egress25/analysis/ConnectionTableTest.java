package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionTableTest
{
    @Test
    void shouldFindEveryConnectionAfterRandomInsertsAndRemovals()
    {
        final ConnectionTable table = new ConnectionTable(2000);
        final Map<Integer, Integer> reference = new HashMap<>();
        final XorShift random = new XorShift(99);
        for (int step = 0; step < 100_000; step++)
        {
            final int port = 1024 + random.nextInt(3000);
            final int packed = ConnectionTable.pack(port, 25);
            final int slot = table.find(0, 1, 0, 2, packed);
            assertThat(slot >= 0).isEqualTo(reference.containsKey(port));
            if (slot >= 0)
            {
                table.remove(slot);
                reference.remove(port);
            }
            else if (!table.isFull())
            {
                table.insert(0, 1, 0, 2, packed, ConnectionTable.SYN_SENT, step);
                reference.put(port, step);
            }
        }
        assertThat(table.size()).isEqualTo(reference.size());
        for (final Map.Entry<Integer, Integer> entry : reference.entrySet())
        {
            final int slot = table.find(0, 1, 0, 2, ConnectionTable.pack(entry.getKey(), 25));
            assertThat(table.timeNanos(slot)).isEqualTo((long)entry.getValue());
        }
    }
}
