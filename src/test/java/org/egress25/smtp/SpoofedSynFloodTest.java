package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.event.PacketEvent;
import org.junit.jupiter.api.Test;

/**
 * Spoofed SYNs, never answered, from many inside addresses: they must not take the connection slots that
 * dialogue analysis needs. The two reproductions of the spoofed-SYN defect: a one-second burst followed by
 * bots over the next five minutes, and a steady flood with a spambot inside it.
 */
class SpoofedSynFloodTest
{
    private final Harness harness = new Harness();
    private final Wire wire = harness.wire;
    private int spoofed;

    /** One bare SYN to port 25 from an inside address no other SYN of the test used. */
    private void spoofedSyn()
    {
        final int n = spoofed++;
        final String from = "10." + (n >>> 16 & 0xff) + "." + (n >>> 8 & 0xff) + "." + (n & 0xff);
        wire.pickUp(from, 1024 + n % 60_000, "192.0.2." + (1 + n % 200), 25)
            .segment(true, 7_000 + n, 0, PacketEvent.TCP_SYN, null, 0, 0);
    }

    private void spoofedSyns(final int count, final long overMillis)
    {
        if (count == 0)
        {
            return;
        }
        final long stepNanos = overMillis * 1_000_000L / count;
        for (int i = 0; i < count; i++)
        {
            spoofedSyn();
            wire.nowNanos += stepNanos;
        }
    }

    /** A bot's session whose banner names it on a blocklist, with {@code floodBetween} spoofed SYNs between its segments. */
    private void blocklistedSession(final String bot, final int port, final int floodBetween)
    {
        final Wire.Conn c = wire.connect(bot, port, "198.51.100.9", 25);
        spoofedSyns(floodBetween, 10);
        c.server("554 5.7.1 Service unavailable; Client host [" + bot + "] blocked using zen.spamhaus.org\r\n");
        spoofedSyns(floodBetween, 10);
        c.client("QUIT\r\n");
        spoofedSyns(floodBetween, 10);
        c.server("221 bye\r\n");
        c.finBoth();
    }

    private List<String> blocked()
    {
        final List<String> hosts = new ArrayList<>();
        for (final Decision d : harness.decisions)
        {
            if (d.action() == Action.BLOCK)
            {
                hosts.add(d.host());
            }
        }
        return hosts;
    }

    @Test
    void shouldStillBlockEveryBotInTheFiveMinutesAfterABurstOfSpoofedSyns()
    {
        spoofedSyns(4_200, 1_000);
        final List<String> bots = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            wire.advanceMillis(45_000);
            final String bot = "172.16.0." + (10 + i);
            bots.add(bot);
            blocklistedSession(bot, 30_000 + i, 0);
        }
        assertThat(blocked()).containsExactlyElementsOf(bots);
        assertThat(harness.records).extracting(SessionRecord::client).containsExactlyElementsOf(bots);
        // The unanswered SYNs ended at the SYN timeout (30 s in the test policy), long before the idle timeout.
        assertThat(harness.analyser.capHits(Cap.SYN_TIMEOUT)).isEqualTo(4_200 - harness.analyser.capHits(Cap.HALF_OPEN_EVICTED));
        assertThat(harness.analyser.halfOpenSessions()).isZero();
    }

    @Test
    void shouldBlockASpambotInsideASteadyFloodOfSpoofedSyns()
    {
        final String bot = "172.16.5.5";
        final String mta = "172.16.9.9";
        for (int i = 0; i < 20; i++)
        {
            // 5,000 spoofed SYNs around each session at 50,000 a second: more than the table holds.
            spoofedSyns(2_000, 40);
            if (i == 10)
            {
                blocklistedSession(bot, 40_000, 1_000);
            }
            else
            {
                final Wire.Conn c = wire.connect(mta, 41_000 + i, "198.51.100.20", 25);
                spoofedSyns(1_500, 30);
                c.server("220 mx ESMTP\r\n").client("EHLO mail.example.org\r\n");
                spoofedSyns(1_500, 30);
                c.server("250 mx\r\n").client("QUIT\r\n").server("221 bye\r\n");
                c.finBoth();
            }
        }
        assertThat(blocked()).containsExactly(bot);
        assertThat(harness.records).extracting(SessionRecord::client).containsOnly(bot, mta).hasSize(20);
        assertThat(harness.records).extracting(SessionRecord::endReason).containsOnly("quit");
        assertThat(harness.analyser.capHits(Cap.HALF_OPEN_EVICTED)).as("the table was under pressure").isPositive();
        assertThat(harness.analyser.capHits(Cap.CONNECTIONS)).as("no connection that answered was refused").isZero();
    }

    @Test
    void shouldNeverEvictAConnectionThatCarriedSmtpForASynOnlyOne()
    {
        final Harness small = new Harness(new SmtpLimits(8, 8, 2048, 4096, 8, java.time.Duration.ofMinutes(5), 16,
            100, 4096, 64, 1000, java.time.Duration.ofHours(2), SmtpLimits.DEFAULT_PATTERN_BYTES));
        final List<Wire.Conn> talking = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            talking.add(small.wire.connect("10.1.0." + (1 + i), 5000, "192.0.2.1", 25).server("220 mx\r\n"));
        }
        for (int i = 0; i < 100; i++)
        {
            small.wire.pickUp("10.2.0." + (1 + i), 6000, "192.0.2.1", 25)
                .segment(true, 1, 0, PacketEvent.TCP_SYN, null, 0, 0);
        }
        assertThat(small.analyser.openSessions()).isEqualTo(8);
        assertThat(small.analyser.halfOpenSessions()).isZero();
        assertThat(small.analyser.capHits(Cap.CONNECTIONS)).isEqualTo(100);
        for (final Wire.Conn c : talking)
        {
            c.client("QUIT\r\n").server("221 bye\r\n").finBoth();
        }
        assertThat(small.records).hasSize(8).extracting(SessionRecord::endReason).containsOnly("quit");
    }

    @Test
    void shouldKeepOneSourceRangeFromTakingTheWholeTable()
    {
        final SmtpLimits limits = SmtpLimits.defaults();
        int opened = 0;
        for (int host = 1; host < 255 && opened < limits.maxConnections(); host++)
        {
            for (int port = 0; port < limits.maxConnectionsPerHost(); port++)
            {
                harness.wire.connect("10.7.7." + host, 20_000 + port, "192.0.2.1", 25);
                opened++;
            }
        }
        assertThat(harness.analyser.openSessions()).isEqualTo(limits.maxConnectionsPerRange());
        assertThat(harness.analyser.capHits(Cap.CONNECTIONS_PER_RANGE)).isPositive();
        harness.wire.connect("10.7.8.1", 20_000, "192.0.2.1", 25).server("220 mx\r\n");
        assertThat(harness.analyser.openSessions()).isEqualTo(limits.maxConnectionsPerRange() + 1);
    }
}
