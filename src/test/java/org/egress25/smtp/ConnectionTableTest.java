package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.egress25.pipeline.PacketEvent;
import org.junit.jupiter.api.Test;

class ConnectionTableTest
{
    /**
     * Random opens and closes against a plain map, in a table small enough that probes collide and
     * backward-shift deletion moves entries: every tracked connection is found as itself, every closed or
     * never-opened one is not, and the per-host cap holds.
     */
    @Test
    void shouldFindExactlyTheOpenConnectionsThroughCollisionsAndDeletions()
    {
        final SmtpLimits limits = new SmtpLimits(64, 8, 2048, 4096, 8, Duration.ofMinutes(5), 16, 100, 4096, 64,
            1000, Duration.ofHours(2));
        final SmtpCounters counters = new SmtpCounters();
        final ConnectionTable table = new ConnectionTable(limits, counters, (s, code, verb, line, length) -> { }, false);
        final Map<List<Long>, Session> model = new HashMap<>();
        final Map<Long, Integer> perHost = new HashMap<>();
        final Random random = new Random(25);
        final PacketEvent e = PacketEvent.factory(64).newInstance();
        e.direction = PacketEvent.DIR_OUTBOUND;
        for (int step = 0; step < 200_000; step++)
        {
            final long client = PacketEvent.IPV4_MAPPED_PREFIX | (0x0A00_0000L + random.nextInt(12));
            final long server = PacketEvent.IPV4_MAPPED_PREFIX | (0xC000_0200L + random.nextInt(4));
            final int port = 40_000 + random.nextInt(24);
            final List<Long> key = List.of(client, (long)port, server);
            final Session found = table.find(0, client, port, 0, server, 25);
            assertThat(found).isSameAs(model.get(key));
            if (found != null && random.nextBoolean())
            {
                table.remove(found);
                model.remove(key);
                perHost.merge(client, -1, Integer::sum);
            }
            else if (found == null)
            {
                final Session s = table.allocate(0, client);
                if (s == null)
                {
                    assertThat(perHost.getOrDefault(client, 0) >= 8 || model.size() >= 64).isTrue();
                    continue;
                }
                e.srcHi = 0;
                e.srcLo = client;
                e.dstHi = 0;
                e.dstLo = server;
                e.srcPort = port;
                e.dstPort = 25;
                s.open(e, step, false);
                table.insert(s);
                model.put(key, s);
                perHost.merge(client, 1, Integer::sum);
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        final List<Session> live = new ArrayList<>();
        for (int i = 0; i < table.size(); i++)
        {
            live.add(table.live(i));
        }
        assertThat(live).containsExactlyInAnyOrderElementsOf(model.values());
    }
}
