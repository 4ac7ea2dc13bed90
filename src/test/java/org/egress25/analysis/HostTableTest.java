package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostTableTest
{
    private static long key(final int n)
    {
        return 0x0000_ffff_0a00_0000L | n;
    }

    @Test
    void shouldFindEveryHostAfterRandomInsertsAndRemovals()
    {
        final HostTable table = new HostTable(5000);
        final Map<Long, Integer> reference = new HashMap<>();
        final XorShift random = new XorShift(42);
        for (int step = 0; step < 200_000; step++)
        {
            final int n = random.nextInt(6000);
            final Integer row = reference.get(key(n));
            if (row != null && random.nextInt(3) == 0)
            {
                table.remove(row);
                reference.remove(key(n));
            }
            else if (row == null && !table.isFull())
            {
                reference.put(key(n), table.insert(0, key(n), step));
            }
        }
        assertThat(table.size()).isEqualTo(reference.size());
        for (int n = 0; n < 6000; n++)
        {
            final Integer row = reference.get(key(n));
            assertThat(table.find(0, key(n))).isEqualTo(row == null ? -1 : row);
        }
    }

    @Test
    void shouldGrowByDoublingButNeverPastTheCap()
    {
        final HostTable table = new HostTable(3000);
        for (int n = 0; n < 3000; n++)
        {
            table.insert(0, key(n), n);
        }

        assertThat(table.isFull()).isTrue();
        assertThat(table.capacity()).isEqualTo(3000);
        assertThat(table.find(0, key(1234))).isGreaterThanOrEqualTo(0);
    }

    @Test
    void shouldPickAnOldRowAsVictim()
    {
        final HostTable table = new HostTable(1000);
        for (int n = 0; n < 1000; n++)
        {
            table.insert(0, key(n), n);
        }
        final XorShift random = new XorShift(7);
        long total = 0;
        for (int i = 0; i < 100; i++)
        {
            total += table.lastSeen(table.sampleVictim(random));
        }

        // the oldest of 8 uniform picks sits around the 11th percentile, far below the median of 500
        assertThat(total / 100).isLessThan(250);
    }
}
