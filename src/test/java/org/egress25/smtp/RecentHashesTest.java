package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentHashesTest
{
    @Test
    void shouldCountNamesSeenWithinTheWindowOnly()
    {
        final RecentHashes names = new RecentHashes(256);
        names.touch(1, 0);
        names.touch(2, 10);
        names.touch(1, 20);
        assertThat(names.countRecent(20, 100)).isEqualTo(2);
        // 2 was last seen at 10, 1 at 20: at 115 only 1 is within 100.
        assertThat(names.countRecent(115, 100)).isEqualTo(1);
        assertThat(names.countRecent(1_000, 100)).isZero();
    }

    @Test
    void shouldForgetTheLeastRecentlySeenNameWhenFull()
    {
        final RecentHashes names = new RecentHashes(3);
        names.touch(1, 1);
        names.touch(2, 2);
        names.touch(3, 3);
        names.touch(1, 4);
        names.touch(4, 5);
        assertThat(names.size()).isEqualTo(3);
        // 2 was the least recently seen: gone; 1, 3 and 4 remain, each counted once.
        names.touch(3, 6);
        names.touch(1, 6);
        names.touch(4, 6);
        assertThat(names.size()).isEqualTo(3);
    }

    @Test
    void shouldRefuseAZeroCap()
    {
        assertThatThrownBy(() -> new RecentHashes(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Against the access-ordered map it replaced, on random traffic with many collisions in a small key space,
     * growth past the initial size, evictions at the cap and window expiry.
     */
    @Test
    void shouldAgreeWithAnAccessOrderedMapOnRandomTraffic()
    {
        final Random random = new Random(25);
        for (int round = 0; round < 50; round++)
        {
            final int cap = 1 + random.nextInt(64);
            final RecentHashes fast = new RecentHashes(cap);
            final LinkedHashMap<Long, Long> model = new LinkedHashMap<>(16, 0.75f, true);
            long now = 0;
            final long window = 1 + random.nextInt(500);
            for (int step = 0; step < 5_000; step++)
            {
                now += random.nextInt(10);
                final long hash = random.nextInt(3 * cap) * 0x9E3779B97F4A7C15L;
                fast.touch(hash, now);
                model.put(hash, now);
                if (model.size() > cap)
                {
                    final Iterator<Long> eldest = model.keySet().iterator();
                    eldest.next();
                    eldest.remove();
                }
                if (random.nextInt(4) == 0)
                {
                    final Iterator<Map.Entry<Long, Long>> it = model.entrySet().iterator();
                    while (it.hasNext() && now - it.next().getValue() - window > 0)
                    {
                        it.remove();
                    }
                    assertThat(fast.countRecent(now, window)).as("round %d step %d", round, step).isEqualTo(model.size());
                }
                assertThat(fast.size()).isEqualTo(model.size());
            }
        }
    }
}
