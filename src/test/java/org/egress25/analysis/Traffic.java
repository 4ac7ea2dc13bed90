package org.egress25.analysis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.egress25.policy.BlockLadder;
import org.egress25.host.Cidr;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.PortGroup;
import org.egress25.policy.RateDetector;
import org.egress25.policy.RateMetric;
import org.egress25.policy.SmtpRules;
import org.egress25.policy.SprtRules;

/**
 * Synthetic decoded segments for the rate analyser, with the fields the decoder and direction stage would
 * fill, and a policy with the test thresholds below. One event object is reused, as on the ring.
 */
final class Traffic
{
    /** An hour boundary (2023-11-14T23:00:00Z), so every window's buckets start here. */
    static final long T0 = 1_700_002_800L * 1_000_000_000L;
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    static final Duration SYN_TIMEOUT = Duration.ofSeconds(10);

    static final RateDetector ATTEMPTS_1M = new RateDetector(
        "port25-attempts-1m", RateMetric.ATTEMPTS, PortGroup.RELAY, Duration.ofMinutes(1), 20, 0, Action.BLOCK);
    static final RateDetector ATTEMPTS_5M = new RateDetector(
        "port25-attempts-5m", RateMetric.ATTEMPTS, PortGroup.RELAY, Duration.ofMinutes(5), 40, 0, Action.BLOCK);
    static final RateDetector DISTINCT_5M = new RateDetector(
        "port25-distinct-5m", RateMetric.DISTINCT_DESTINATIONS, PortGroup.RELAY, Duration.ofMinutes(5), 10, 0,
        Action.BLOCK);
    static final RateDetector FAILURE_RATIO_1H = new RateDetector(
        "port25-failure-ratio-1h", RateMetric.FAILURE_RATIO, PortGroup.RELAY, Duration.ofHours(1), 0.5, 20,
        Action.BLOCK);
    static final RateDetector SUBMISSION_1M = new RateDetector(
        "submission-attempts-1m", RateMetric.ATTEMPTS, PortGroup.SUBMISSION, Duration.ofMinutes(1), 20, 0,
        Action.ALERT);
    static final RateDetector CONCURRENT = new RateDetector(
        "port25-concurrent", RateMetric.CONCURRENT, PortGroup.RELAY, null, 5, 0, Action.ALERT);

    static final List<RateDetector> DEFAULTS =
        List.of(ATTEMPTS_1M, ATTEMPTS_5M, DISTINCT_5M, FAILURE_RATIO_1H, SUBMISSION_1M, CONCURRENT);

    final PacketEvent event = PacketEvent.factory(64).newInstance();
    final List<Decision> decisions = new ArrayList<>();
    final Verdicts verdicts = new Verdicts(decisions::add, ladder());
    Policy policy;
    final RateAnalyser analyser;
    /** Wired as production wires it (pipeline.AnalysisStage): corroboration, and connect failures as observations. */
    final SequentialVerdict sequential;

    Traffic(final Policy policy, final int maxHosts, final int maxConnections)
    {
        this(policy, maxHosts, maxConnections, RateAnalyser.DEFAULT_MAX_FLAGGED);
    }

    Traffic(final Policy policy, final int maxHosts, final int maxConnections, final int maxFlagged)
    {
        this.policy = policy;
        this.analyser = new RateAnalyser(() -> this.policy, verdicts, maxHosts, maxConnections, maxFlagged);
        this.sequential = new SequentialVerdict(() -> this.policy, verdicts, maxHosts);
        analyser.setCorroboration(sequential);
        analyser.setConnectFailureListener((hi, lo, now) ->
            sequential.observeBad(hi, lo, this.policy.classify(hi, lo), SequentialVerdict.BAD_CONNECT_FAILED, now));
    }

    /**
     * {@code sessions} finished SMTP sessions of the host refused by the server, as the SMTP analyser reports
     * them to the sequential test: independent badness evidence for a volume finding.
     */
    void refusedSessions(final String client, final int sessions, final long nanos)
    {
        final long[] host = org.egress25.host.Addresses.parse(client);
        for (int i = 0; i < sessions; i++)
        {
            sequential.observeBad(host[0], host[1], policy.classify(host[0], host[1]), SequentialVerdict.BAD_REJECTED,
                nanos);
        }
    }

    Traffic()
    {
        this(policy(Port25Mode.DETECT_THEN_BLOCK, DEFAULTS), 10_000, 10_000);
    }

    static BlockLadder ladder()
    {
        return new BlockLadder(List.of(Duration.ofHours(2), Duration.ofHours(24)), Duration.ofDays(7));
    }

    /** Inside 10.0.0.0/8 in one class with the given mode and detectors; the defaults are the same detectors. */
    static Policy policy(final Port25Mode mode, final List<RateDetector> detectors)
    {
        return policy("residential", "10.0.0.0/8", mode, detectors);
    }

    /** Inside 2001:db8::/64 only, with the default detectors. */
    static Policy policy6()
    {
        return policy("v6", "2001:db8::/64", Port25Mode.DETECT_THEN_BLOCK, DEFAULTS);
    }

    private static Policy policy(final String name, final String network, final Port25Mode mode,
        final List<RateDetector> detectors)
    {
        final HostClass inside = new HostClass(name, mode, List.of(Cidr.parse(network)), detectors);
        return Policy.builder().classes(List.of(inside)).defaultDetectors(detectors).synTimeout(SYN_TIMEOUT)
            .ladder(ladder()).smtp(SmtpRules.defaults()).sprt(SprtRules.defaults()).sourceDescription("test")
            .hash("test").build();
    }

    static long[] ip(final String text)
    {
        return Addresses.parse(text);
    }

    /** The n-th outside server, 198.18.x.y (RFC 2544 benchmarking space). */
    static String server(final int n)
    {
        return "198.18." + (n >>> 8 & 0xff) + "." + (n & 0xff);
    }

    private PacketEvent fill(final int direction, final String client, final int clientPort, final String server,
        final int serverPort, final int flags, final long nanos)
    {
        final PacketEvent e = event;
        e.clearDecoded();
        e.kind = PacketEvent.KIND_PACKET;
        e.timestampNanos = nanos;
        final long[] c = ip(client);
        final long[] s = ip(server);
        e.ipVersion = Addresses.isIpv4(c[0], c[1]) ? 4 : 6;
        e.direction = direction;
        final boolean outbound = direction == PacketEvent.DIR_OUTBOUND;
        final long[] src = outbound ? c : s;
        final long[] dst = outbound ? s : c;
        e.srcHi = src[0];
        e.srcLo = src[1];
        e.dstHi = dst[0];
        e.dstLo = dst[1];
        e.srcPort = outbound ? clientPort : serverPort;
        e.dstPort = outbound ? serverPort : clientPort;
        e.tcpFlags = flags;
        e.hostClass = policy.classify(c[0], c[1]);
        return e;
    }

    /** Outbound segment from the inside client, then a tick at the same time (as the pipeline does). */
    void out(final String client, final int clientPort, final String server, final int serverPort, final int flags,
        final long nanos)
    {
        analyser.onSegment(fill(PacketEvent.DIR_OUTBOUND, client, clientPort, server, serverPort, flags, nanos));
        analyser.onTick(nanos);
    }

    /** Inbound segment from the server back to the client, then a tick. */
    void in(final String client, final int clientPort, final String server, final int serverPort, final int flags,
        final long nanos)
    {
        analyser.onSegment(fill(PacketEvent.DIR_INBOUND, client, clientPort, server, serverPort, flags, nanos));
        analyser.onTick(nanos);
    }

    void syn(final String client, final int clientPort, final String server, final int serverPort, final long nanos)
    {
        out(client, clientPort, server, serverPort, PacketEvent.TCP_SYN, nanos);
    }

    void synAck(final String client, final int clientPort, final String server, final int serverPort,
        final long nanos)
    {
        in(client, clientPort, server, serverPort, PacketEvent.TCP_SYN | PacketEvent.TCP_ACK, nanos);
    }

    void rst(final String client, final int clientPort, final String server, final int serverPort, final long nanos)
    {
        in(client, clientPort, server, serverPort, PacketEvent.TCP_RST | PacketEvent.TCP_ACK, nanos);
    }

    /** A whole SMTP session in miniature: SYN, SYN-ACK, a data segment, FIN from the client. */
    void session(final String client, final int clientPort, final String server, final long nanos)
    {
        syn(client, clientPort, server, 25, nanos);
        synAck(client, clientPort, server, 25, nanos + 20_000_000L);
        out(client, clientPort, server, 25, PacketEvent.TCP_ACK | PacketEvent.TCP_PSH, nanos + 40_000_000L);
        out(client, clientPort, server, 25, PacketEvent.TCP_FIN | PacketEvent.TCP_ACK, nanos + 60_000_000L);
    }

    HostSnapshot snapshot(final String host, final long nanos)
    {
        final long[] h = ip(host);
        return analyser.snapshot(h[0], h[1], nanos);
    }

    HostSnapshot.DetectorValue detector(final String host, final String rule, final long nanos)
    {
        return snapshot(host, nanos).detectors().stream().filter(d -> d.rule().equals(rule)).findFirst()
            .orElseThrow();
    }

    List<Decision> decisionsFor(final String host)
    {
        return decisions.stream().filter(d -> d.host().equals(host)).toList();
    }
}
