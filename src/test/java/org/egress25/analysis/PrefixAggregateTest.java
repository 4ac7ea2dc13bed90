package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.egress25.analysis.Traffic.MINUTE;
import static org.egress25.analysis.Traffic.SECOND;
import static org.egress25.analysis.Traffic.T0;
import static org.egress25.analysis.Traffic.server;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.SmtpRules;
import org.egress25.policy.SprtRules;
import org.junit.jupiter.api.Test;

class PrefixAggregateTest
{
    private static final String BOT_PREFIX = "2001:db8:1000:1::/64";
    private static final String NEIGHBOUR = "2001:db8:1000:2::77";

    private static Policy policy(final int ipv6Prefix, final HostClass... more)
    {
        final HostClass home = new HostClass("home", Port25Mode.DETECT_THEN_BLOCK,
            List.of(Cidr.parse("2001:db8:1000::/36"), Cidr.parse("10.0.0.0/8")), Traffic.DEFAULTS, ipv6Prefix);
        final List<HostClass> classes = new java.util.ArrayList<>(List.of(home));
        classes.addAll(List.of(more));
        return Policy.builder().classes(classes).defaultDetectors(Traffic.DEFAULTS).synTimeout(Traffic.SYN_TIMEOUT)
            .ladder(Traffic.ladder()).smtp(SmtpRules.defaults()).sprt(SprtRules.defaults()).sourceDescription("test")
            .hash("test").build();
    }

    /** A temporary address of the bot's /64 (RFC 8981): a new interface identifier per {@code n}. */
    private static String rotating(final int n)
    {
        return "2001:db8:1000:1:" + Integer.toHexString(0x1000 + n) + ":" + Integer.toHexString(0xa000 + n * 7)
            + "::" + Integer.toHexString(n + 1);
    }

    /** Eight addresses of one /64, each making 5 port-25 sessions to one server within a minute: 40 in all. */
    private static void rotatingBot(final Traffic t, final String... address)
    {
        int attempt = 0;
        for (int a = 0; a < 8; a++)
        {
            for (int i = 0; i < 5; i++)
            {
                t.session(address.length > 0 ? address[0] : rotating(a), 40000 + attempt, server(1),
                    T0 + attempt * SECOND);
                attempt++;
            }
        }
    }

    @Test
    void shouldBlockThePrefixWhenItsAddressesTogetherCrossALimitNoneCrossesAlone()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);

        rotatingBot(t);

        assertThat(t.decisions).extracting(Decision::host, Decision::rule, Decision::action)
            .containsExactly(tuple(BOT_PREFIX, "port25-attempts-1m", Action.BLOCK));
        final Decision block = t.decisions.get(0);
        assertThat(block.reason()).startsWith(BOT_PREFIX + " made 21 connection attempts to port 25")
            .contains("none is over the limit alone");
        assertThat(block.evidence()).containsEntry("prefix_length", 64).containsEntry("attempts_1m", 21L);
        assertThat((Long)block.evidence().get("addresses_1h")).isGreaterThanOrEqualTo(4L);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldShowThePrefixsFiguresAgainstTheThresholdsForExplain()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);
        rotatingBot(t);

        final java.util.Map<String, Object> snapshot = t.analyser.prefixSnapshot(HostKey.parse(BOT_PREFIX), T0 + 40 * SECOND);

        assertThat(snapshot).containsEntry("class", "home").containsKey("blocked_until");
        assertThat((List<java.util.Map<String, Object>>)snapshot.get("detectors"))
            .filteredOn(d -> d.get("rule").equals("port25-attempts-1m")).singleElement()
            .satisfies(d -> assertThat(d).containsEntry("firing", true).containsEntry("threshold", 20.0));
        assertThat(t.analyser.prefixSnapshot(HostKey.parse("2001:db8:1000:9::/64"), T0)).isNull();
    }

    @Test
    void shouldBlockALoneBotThatDoesNotRotateAsAnAddressNotAsItsPrefix()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);

        rotatingBot(t, "2001:db8:1000:1::5");

        assertThat(t.decisions).extracting(Decision::host, Decision::rule)
            .containsExactly(tuple("2001:db8:1000:1::5", "port25-attempts-1m"));
    }

    @Test
    void shouldNotCountAnotherSlash64OfTheSameClassWithTheBot()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);
        rotatingBot(t);

        for (int i = 0; i < 3; i++)
        {
            t.syn(NEIGHBOUR, 50000 + i, server(900 + i), 25, T0 + (45 + i) * SECOND);
        }

        assertThat(t.decisions).extracting(Decision::host).containsExactly(BOT_PREFIX);
        final long[] n = Traffic.ip(NEIGHBOUR);
        assertThat(t.verdicts.blockedUntilNanos(n[0], n[1], T0 + MINUTE)).isZero();
        final long[] member = Traffic.ip(rotating(7));
        assertThat(t.verdicts.blockedUntilNanos(member[0], member[1], T0 + MINUTE))
            .as("an address inside the blocked prefix counts as blocked").isNotZero();
    }

    @Test
    void shouldJudgeEachAddressAloneWhenTheClassSaysIpv6Prefix128()
    {
        final Traffic t = new Traffic(policy(HostClass.NO_IPV6_PREFIX), 10_000, 10_000);

        rotatingBot(t);

        assertThat(t.decisions).isEmpty();
        assertThat(t.analyser.trackedPrefixes()).isZero();
    }

    @Test
    void shouldNeverAggregateIpv4()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);

        for (int i = 0; i < 40; i++)
        {
            t.syn("10.0.0." + (i / 5 + 1), 40000 + i, server(i), 25, T0 + i * SECOND);
        }

        assertThat(t.decisions).isEmpty();
        assertThat(t.analyser.trackedPrefixes()).isZero();
    }

    @Test
    void shouldOnlyAlertOnAPrefixHoldingANetworkOfAnotherClass()
    {
        final HostClass server = new HostClass("business-server", Port25Mode.DETECT_THEN_BLOCK,
            List.of(Cidr.parse("2001:db8:1000:1::25/128")), Traffic.DEFAULTS, HostClass.NO_IPV6_PREFIX);
        final Traffic t = new Traffic(policy(64, server), 10_000, 10_000);

        rotatingBot(t);

        assertThat(t.decisions).isNotEmpty().extracting(Decision::host, Decision::action)
            .containsOnly(tuple(BOT_PREFIX, Action.ALERT));
        assertThat(t.decisions.get(0).reason()).contains("2001:db8:1000:1::25/128 (class business-server)");
    }

    @Test
    void shouldGiveBackTheShareOfAnAddressBlockedOnItsOwn()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);
        // its dialogues were refused: the volume is corroborated and the address blocked
        t.refusedSessions("2001:db8:1000:1::5", 5, T0);
        for (int i = 0; i < 21; i++)
        {
            t.session("2001:db8:1000:1::5", 40000 + i, server(1), T0 + i * SECOND);
        }
        assertThat(t.decisions).extracting(Decision::host).containsExactly("2001:db8:1000:1::5");

        // another device of the same LAN makes a few ordinary attempts: its prefix is not judged on the bot's count
        for (int i = 0; i < 3; i++)
        {
            t.session("2001:db8:1000:1::6", 41000 + i, server(1), T0 + (30 + i) * SECOND);
        }

        assertThat(t.decisions).extracting(Decision::host).containsExactly("2001:db8:1000:1::5");
    }

    @Test
    void shouldKeepPrefixesBoundedByEvictingAtTheCap()
    {
        final Traffic t = new Traffic(policy(64), 64, 10_000);

        for (int p = 0; p < 500; p++)
        {
            t.syn("2001:db8:1000:" + Integer.toHexString(p + 1) + "::1", 40000 + p % 20000, server(p), 25,
                T0 + p * 100_000_000L);
        }

        assertThat(t.analyser.trackedPrefixes()).isLessThanOrEqualTo(64);
        t.analyser.onEnd(T0 + 50 * SECOND);
        assertThat(t.analyser.stats().prefixesTracked()).as("what the metrics read").isEqualTo(t.analyser.trackedPrefixes());
        assertThat(t.analyser.stats().prefixCapacityEvictions()).isGreaterThanOrEqualTo(500 - 64);
    }

    @Test
    void shouldForgetAPrefixIdleForTheLongestWindowPlusTheSynTimeout()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);
        t.syn(rotating(1), 40000, server(1), 25, T0);
        assertThat(t.analyser.trackedPrefixes()).isEqualTo(1);

        // the longest default window is 1 h; the sweep covers the table once a minute
        for (long m = 1; m <= 63; m++)
        {
            t.analyser.onTick(T0 + m * MINUTE);
        }

        assertThat(t.analyser.trackedPrefixes()).isZero();
    }

    @Test
    void shouldCostAFewHundredBytesPerTrackedPrefixWithTheDefaultWindows()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);
        t.syn(rotating(1), 40000, server(1), 25, T0);

        // windows 1 min, 5 min (with destinations), 1 h; the address bitmap over 1 h
        assertThat(t.analyser.bytesPerPrefix()).isBetween(300L, PrefixAggregate.DEFAULT_BYTES_PER_PREFIX);
    }

    /** Host h: address h % 4 + 1 of /64 number h / 4 in 2001:db8:1000::/36; server 198.18.0.1. */
    private static void segment(final Traffic t, final PacketEvent e, final int direction, final int flags,
        final int host, final int clientPort, final long nanos)
    {
        final RateAnalyser analyser = t.analyser;
        final long insideHi = 0x2001_0db8_1000_0000L | (host / 4 + 1);
        final long insideLo = 0x0a1b_2c3d_0000_0000L | (host % 4 + 1);
        final long outside = Addresses.IPV4_MAPPED_PREFIX | 0xc612_0001L;
        final boolean outbound = direction == PacketEvent.DIR_OUTBOUND;
        e.ipVersion = 6;
        e.direction = direction;
        e.timestampNanos = nanos;
        e.srcHi = outbound ? insideHi : 0;
        e.srcLo = outbound ? insideLo : outside;
        e.dstHi = outbound ? 0 : insideHi;
        e.dstLo = outbound ? outside : insideLo;
        e.srcPort = outbound ? clientPort : 25;
        e.dstPort = outbound ? 25 : clientPort;
        e.tcpFlags = flags;
        e.hostClass = t.policy.classes().get(0);
        analyser.onSegment(e);
        analyser.onTick(nanos);
    }

    private static void rounds(final Traffic analyser, final PacketEvent e, final int from, final int to,
        final long[] now)
    {
        for (int round = from; round < to; round++)
        {
            for (int host = 0; host < 1000; host++)
            {
                final int port = 40000 + round;
                final long at = now[0] += 120_000_000L;
                segment(analyser, e, PacketEvent.DIR_OUTBOUND, PacketEvent.TCP_SYN, host, port, at);
                segment(analyser, e, PacketEvent.DIR_INBOUND, PacketEvent.TCP_SYN | PacketEvent.TCP_ACK, host, port,
                    at + 1_000_000L);
                segment(analyser, e, PacketEvent.DIR_OUTBOUND, PacketEvent.TCP_FIN | PacketEvent.TCP_ACK, host, port,
                    at + 2_000_000L);
            }
        }
    }

    @Test
    void shouldNotAllocatePerPacketForIpv6AddressesAndTheirPrefixes()
    {
        final Traffic t = new Traffic(policy(64), 10_000, 10_000);
        final PacketEvent e = t.event;
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] now = {T0};
        // 1000 hosts in 250 /64s, four each, a session every 2 min each: every /64 is judged, none crosses
        // (10 in 5 min, under 40; four devices each mailing every 30 s would together be over it, rightly)
        rounds(t, e, 0, 30, now);
        assertThat(t.analyser.trackedPrefixes()).isEqualTo(250);

        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().threadId());
        rounds(t, e, 30, 80, now);
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().threadId()) - before;

        // 150,000 segments and ticks; one boxed long per packet would be over two megabytes
        assertThat(allocated).isLessThan(10_000);
        assertThat(t.decisions).isEmpty();
    }

    @Test
    void shouldNameThePrefixAsTheHostOfItsDecisionInRfc5952Form()
    {
        assertThat(HostKey.prefixOf(Traffic.ip(rotating(3))[0], 0, 64).text()).isEqualTo(BOT_PREFIX);
    }
}
