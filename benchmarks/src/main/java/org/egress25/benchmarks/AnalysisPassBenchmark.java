package org.egress25.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.capture.CaptureFileReader;
import org.egress25.pipeline.AnalysisStage;
import org.egress25.decision.Verdicts;
import org.egress25.decode.DecodeStatus;
import org.egress25.decode.FrameDecoder;
import org.egress25.decode.Orientation;
import org.egress25.pipeline.CommandQueue;
import org.egress25.event.PacketEvent;
import org.egress25.pipeline.PacketProcessor;
import org.egress25.pipeline.PipelineCounters;
import org.egress25.host.Cidr;
import org.egress25.policy.Policy;
import org.egress25.policy.PolicyLoader;
import org.egress25.synth.TrafficGenerator;
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
 * The analysis stage on its own, warmed up: one operation is a whole pass of the SMTP segments of the replay
 * benchmark's traffic mix through a fresh {@link AnalysisStage} behind a {@link PacketProcessor} (decode,
 * orient, analyse), with and without SMTP dialogue analysis.
 *
 * <p>{@code replay-vs-tcpdump.sh} times the whole program on two cores, where the JIT compiler, JVM start-up
 * and the capture thread share the CPU with analysis and runs vary by ±15%. This isolates what dialogue
 * analysis costs per segment once compiled: divide the score by the segment count printed at set-up. Each
 * pass starts from empty state (new analysers), so sessions open, run and end as in a replay; the frames
 * come from memory, copied into one event per segment as the ring's consumer would find them.
 *
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar AnalysisPassBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 15)
@Fork(value = 1, jvmArgs = {"-XX:+UseSerialGC", "-XX:FreqInlineSize=100", "-Xmx2g"})
public class AnalysisPassBenchmark
{
    private static final List<String> INSIDE = List.of("10.0.0.0/8", "100.64.0.0/10", "2001:db8::/32");

    /** SMTP dialogue analysis on (the default) or off ({@code --no-dialogue}). */
    @Param({"true", "false"})
    public boolean dialogue;

    /** Packets of the generated mix; about 30% of them are SMTP segments, the only ones kept. */
    @Param({"1000000"})
    public long packets;

    private final PacketEvent event = PacketEvent.factory(2048).newInstance();
    private Policy policy;
    private byte[] frames;
    private int[] offset;
    private int[] length;
    private int[] wireLength;
    private int[] linkType;
    private long[] timestamp;
    private int count;
    private PacketProcessor processor;
    private long decisions;

    @Setup(Level.Trial)
    public void load() throws IOException
    {
        policy = PolicyLoader.loadDefaults().withExtraInside(INSIDE.stream().map(Cidr::parse).toList());
        final Path capture = Files.createTempFile("egress25-analysis-pass", ".pcap");
        try
        {
            TrafficGenerator.writeMixedBenchmark(capture, packets, 25);
            keepSmtpSegments(capture);
        }
        finally
        {
            Files.deleteIfExists(capture);
        }
        System.out.printf("%n%,d SMTP segments of %,d packets, %,d bytes%n", count, packets, offset[count - 1] + length[count - 1]);
    }

    private void keepSmtpSegments(final Path capture) throws IOException
    {
        final int max = (int)Math.min(Integer.MAX_VALUE - 8, packets);
        offset = new int[max];
        length = new int[max];
        wireLength = new int[max];
        linkType = new int[max];
        timestamp = new long[max];
        frames = new byte[1 << 20];
        final FrameDecoder decoder = new FrameDecoder();
        int used = 0;
        try (CaptureFileReader reader = CaptureFileReader.open(capture))
        {
            while (reader.next(event))
            {
                decoder.decode(event);
                if (event.status != DecodeStatus.OK || !Orientation.orient(event, policy))
                {
                    continue;
                }
                if (used + event.captureLength > frames.length)
                {
                    frames = java.util.Arrays.copyOf(frames, Math.max(frames.length * 2, used + event.captureLength));
                }
                System.arraycopy(event.frame, 0, frames, used, event.captureLength);
                offset[count] = used;
                length[count] = event.captureLength;
                wireLength[count] = event.wireLength;
                linkType[count] = event.linkType;
                timestamp[count] = event.timestampNanos;
                used += event.captureLength;
                count++;
            }
        }
    }

    /** Fresh analysers for every pass: each starts with no host, connection or session known. */
    @Setup(Level.Invocation)
    public void freshStage()
    {
        final Verdicts verdicts = new Verdicts(decision -> decisions++, policy.ladder());
        final AnalysisStage stage = AnalysisStage.build(() -> policy, verdicts, null, 1_000_000, 262_144, dialogue);
        processor = new PacketProcessor(() -> policy, stage.all(), new PipelineCounters(), new CommandQueue(), false);
    }

    /** Every kept segment once, then end of input (sessions still open are ended and judged). */
    @Benchmark
    public long pass()
    {
        final PacketEvent e = event;
        final PacketProcessor p = processor;
        for (int i = 0; i < count; i++)
        {
            System.arraycopy(frames, offset[i], e.frame, 0, length[i]);
            e.kind = PacketEvent.KIND_PACKET;
            e.timestampNanos = timestamp[i];
            e.captureLength = length[i];
            e.wireLength = wireLength[i];
            e.linkType = linkType[i];
            e.decoded = false;
            e.oriented = false;
            e.direction = PacketEvent.DIR_NONE;
            e.hostClass = null;
            p.onEvent(e, i, (i & 63) == 63);
        }
        e.kind = PacketEvent.KIND_END;
        p.onEvent(e, count, true);
        return decisions;
    }
}
