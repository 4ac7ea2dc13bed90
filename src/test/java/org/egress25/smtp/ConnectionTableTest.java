package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.junit.jupiter.api.Test;

class ConnectionTableTest
{
    /**
     * Random opens and closes against a plain map, in a table small enough that probes collide and
     * backward-shift deletion moves entries: every tracked connection is found as itself, every closed or
     * never-opened one is not, the per-host cap holds, and the half-open list holds exactly the connections
     * opened by a bare SYN and not answered since, oldest first.
     */
    @Test
    void shouldFindExactlyTheOpenConnectionsThroughCollisionsAndDeletions()
    {
        final SmtpLimits limits = new SmtpLimits(64, 8, 2048, 4096, 8, Duration.ofMinutes(5), 16, 100, 4096, 64,
            1000, Duration.ofHours(2), SmtpLimits.DEFAULT_PATTERN_BYTES);
        final SmtpCounters counters = new SmtpCounters();
        final ConnectionTable table = new ConnectionTable(limits, counters, (s, code, verb, line, length) -> { }, false);
        final Map<List<Long>, Session> model = new HashMap<>();
        final Map<Long, Integer> perHost = new HashMap<>();
        final Set<Session> halfOpen = new LinkedHashSet<>();
        final Random random = new Random(25);
        final PacketEvent e = PacketEvent.factory(64).newInstance();
        e.direction = PacketEvent.DIR_OUTBOUND;
        for (int step = 0; step < 200_000; step++)
        {
            // one host per /24, so only the per-host and total caps can bite
            final long client = Addresses.IPV4_MAPPED_PREFIX | (0x0A00_0000L + random.nextInt(12) * 256L);
            final long server = Addresses.IPV4_MAPPED_PREFIX | (0xC000_0200L + random.nextInt(4));
            final int port = 40_000 + random.nextInt(24);
            final List<Long> key = List.of(client, (long)port, server);
            final Session found = table.find(0, client, port, 0, server, 25);
            assertThat(found).isSameAs(model.get(key));
            if (found != null && random.nextBoolean())
            {
                table.remove(found);
                model.remove(key);
                halfOpen.remove(found);
                perHost.merge(client, -1, Integer::sum);
            }
            else if (found != null)
            {
                table.answered(found);
                halfOpen.remove(found);
            }
            else
            {
                if (table.refusal(0, client) != null)
                {
                    assertThat(perHost.getOrDefault(client, 0) >= 8 || model.size() >= 64).isTrue();
                    continue;
                }
                final Session s = table.allocate();
                e.srcHi = 0;
                e.srcLo = client;
                e.dstHi = 0;
                e.dstLo = server;
                e.srcPort = port;
                e.dstPort = 25;
                e.tcpFlags = random.nextBoolean() ? PacketEvent.TCP_SYN : PacketEvent.TCP_ACK;
                s.open(e, step, false);
                table.insert(s, Session.isBareClientSyn(e));
                if (table.isHalfOpen(s))
                {
                    halfOpen.add(s);
                }
                model.put(key, s);
                perHost.merge(client, 1, Integer::sum);
            }
            assertThat(table.size()).isEqualTo(model.size());
            assertThat(table.halfOpenCount()).isEqualTo(halfOpen.size());
            assertThat(table.oldestHalfOpen()).isSameAs(halfOpen.isEmpty() ? null : halfOpen.iterator().next());
        }
        final List<Session> live = new ArrayList<>();
        for (int i = 0; i < table.size(); i++)
        {
            live.add(table.live(i));
        }
        assertThat(live).containsExactlyInAnyOrderElementsOf(model.values());
    }
}
