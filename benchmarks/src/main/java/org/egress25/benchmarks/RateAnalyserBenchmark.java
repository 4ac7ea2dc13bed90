package org.egress25.benchmarks;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.egress25.analysis.RateAnalyser;
import org.egress25.decision.Verdicts;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.egress25.policy.Policy;
import org.egress25.policy.PolicyLoader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of {@link RateAnalyser#onSegment(PacketEvent)} per SMTP-port segment, with the shipped default rules
 * and 10.0.0.0/8 inside.
 *
 * <p>{@code @Setup} builds 65,536 decoded segments as the decoder and direction stage would leave them in the
 * ring: inside hosts drawn Zipf-like (host {@code n * u^3} of {@link #hosts}, so ~10% of the hosts send about
 * half the segments), one in twenty segments from a mass-sender SYN that is never answered, the rest whole
 * sessions (SYN, SYN-ACK, data, FIN) with a RST reply one time in ten. Each operation replays the next
 * segment with its time moved on by 40 µs (25,000 SMTP segments/s) and fresh client ports each pass, so the
 * analyser keeps seeing new connections and its windows keep sliding; the analyser's clock is ticked every 256
 * segments, as a busy pipeline does.
 *
 * <p>Steady state must not allocate (decisions aside, which fire only as mass-senders cross thresholds):
 *
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar RateAnalyserBenchmark -prof gc
 * </pre>
 *
 * and expect {@code gc.alloc.rate.norm} ≈ 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RateAnalyserBenchmark
{
    private static final int SEGMENTS = 1 << 16;
    private static final long STEP_NANOS = 40_000;
    private static final long START_NANOS = 1_795_852_800L * 1_000_000_000L;

    /** Distinct inside hosts sending SMTP. */
    @Param({"10000"})
    public int hosts;

    /**
     * Connection table size. The analyser sweeps the whole table once per capture second, so at 25,000
     * segments/s every 100,000 slots add four slot visits to each segment.
     */
    @Param({"100000"})
    public int maxConnections;

    private final PacketEvent event = PacketEvent.factory(64).newInstance();
    private RateAnalyser analyser;
    private Policy policy;
    private long decisions;

    private long[] clientLo;
    private long[] serverLo;
    private int[] clientPort;
    private int[] serverPort;
    private int[] flags;
    private int[] direction;
    private int next;
    private int pass;
    private long now = START_NANOS;

    @Setup(Level.Trial)
    public void build()
    {
        policy = PolicyLoader.loadDefaults().withExtraInside(List.of(Cidr.parse("10.0.0.0/8")));
        final Verdicts verdicts = new Verdicts(decision -> decisions++, policy.ladder());
        analyser = new RateAnalyser(() -> policy, verdicts, 2 * hosts, maxConnections);

        clientLo = new long[SEGMENTS];
        serverLo = new long[SEGMENTS];
        clientPort = new int[SEGMENTS];
        serverPort = new int[SEGMENTS];
        flags = new int[SEGMENTS];
        direction = new int[SEGMENTS];
        final SplittableRandom random = new SplittableRandom(25);
        int i = 0;
        int port = 32_768;
        while (i < SEGMENTS)
        {
            final double u = random.nextDouble();
            final long host = Addresses.IPV4_MAPPED_PREFIX | 0x0a00_0000L | (1 + (long)(hosts * u * u * u));
            final long server = Addresses.IPV4_MAPPED_PREFIX | (0x2d00_0000L + random.nextInt(1 << 24));
            final int dstPort = random.nextInt(10) < 7 ? 25 : 587;
            port = port == 60_999 ? 32_768 : port + 1;
            if (random.nextInt(20) == 0)
            {
                i = add(i, host, server, port, 25, PacketEvent.TCP_SYN, PacketEvent.DIR_OUTBOUND);
                continue;
            }
            i = add(i, host, server, port, dstPort, PacketEvent.TCP_SYN, PacketEvent.DIR_OUTBOUND);
            if (random.nextInt(10) == 0)
            {
                i = add(i, host, server, port, dstPort, PacketEvent.TCP_RST | PacketEvent.TCP_ACK,
                    PacketEvent.DIR_INBOUND);
                continue;
            }
            i = add(i, host, server, port, dstPort, PacketEvent.TCP_SYN | PacketEvent.TCP_ACK, PacketEvent.DIR_INBOUND);
            i = add(i, host, server, port, dstPort, PacketEvent.TCP_ACK | PacketEvent.TCP_PSH, PacketEvent.DIR_OUTBOUND);
            i = add(i, host, server, port, dstPort, PacketEvent.TCP_FIN | PacketEvent.TCP_ACK, PacketEvent.DIR_OUTBOUND);
        }
    }

    private int add(final int i, final long host, final long server, final int port, final int dstPort,
        final int tcpFlags, final int dir)
    {
        if (i >= SEGMENTS)
        {
            return i;
        }
        clientLo[i] = host;
        serverLo[i] = server;
        clientPort[i] = port;
        serverPort[i] = dstPort;
        flags[i] = tcpFlags;
        direction[i] = dir;
        return i + 1;
    }

    /** Fills the ring event as decode and direction would, and hands it to the analyser. */
    @Benchmark
    public long onSegment()
    {
        final int i = next;
        final PacketEvent e = event;
        final boolean outbound = direction[i] == PacketEvent.DIR_OUTBOUND;
        final int port = 32_768 + (clientPort[i] - 32_768 + pass * 7_919) % 28_232;
        now += STEP_NANOS;
        e.kind = PacketEvent.KIND_PACKET;
        e.timestampNanos = now;
        e.status = 0;
        e.ipVersion = 4;
        e.srcHi = 0;
        e.dstHi = 0;
        e.srcLo = outbound ? clientLo[i] : serverLo[i];
        e.dstLo = outbound ? serverLo[i] : clientLo[i];
        e.srcPort = outbound ? port : serverPort[i];
        e.dstPort = outbound ? serverPort[i] : port;
        e.tcpFlags = flags[i];
        e.direction = direction[i];
        e.hostClass = policy.classify(0, clientLo[i]);
        analyser.onSegment(e);
        if ((i & 255) == 255)
        {
            analyser.onTick(now);
        }
        next = (i + 1) & (SEGMENTS - 1);
        if (next == 0)
        {
            pass++;
        }
        return decisions;
    }
}
