package org.egress25.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.egress25.capture.CaptureFileReader;
import org.egress25.decode.FrameDecoder;
import org.egress25.event.PacketEvent;
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
 * Cost of {@link FrameDecoder#decode(PacketEvent)} per frame on the replay benchmark's traffic mix: Ethernet,
 * IPv4 and IPv6, TCP and UDP, mean ~560 bytes, ~30% on SMTP ports, hosts drawn Zipf-like from pools of 2,000
 * browsing and 300 mail hosts plus 40 mass-senders ({@link TrafficGenerator#writeMixedBenchmark}).
 *
 * <p>{@code @Setup} writes {@link #frames} such frames to a temporary pcap and loads them, through the real
 * {@link CaptureFileReader}, into as many ring events; each operation decodes the next one in place. With 1,024
 * frames (1.6 MB of buffers) the headers stay in cache, as they do on the ring right after the capture thread
 * wrote them; with 16,384 (26 MB) every frame is a trip to memory, the cost of a cold ring. The decoder must
 * not allocate: run with the GC profiler and expect {@code gc.alloc.rate.norm} ≈ 0 B/op:
 *
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar FrameDecoderBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameDecoderBenchmark
{
    private static final int SNAP_LENGTH = 1_600;

    /** Frames cycled through; a power of two, so the next index is a mask. */
    @Param({"1024", "16384"})
    public int frames;

    private final FrameDecoder decoder = new FrameDecoder();
    private PacketEvent[] events;
    private int next;

    @Setup(Level.Trial)
    public void load() throws IOException
    {
        final Path file = Files.createTempFile("egress25-decoder-bench", ".pcap");
        try
        {
            TrafficGenerator.writeMixedBenchmark(file, frames, 25);
            events = new PacketEvent[frames];
            try (CaptureFileReader reader = CaptureFileReader.open(file))
            {
                for (int i = 0; i < frames; i++)
                {
                    events[i] = PacketEvent.factory(SNAP_LENGTH).newInstance();
                    if (!reader.next(events[i]))
                    {
                        throw new IllegalStateException("benchmark capture ended after " + i + " frames");
                    }
                }
            }
        }
        finally
        {
            Files.deleteIfExists(file);
        }
    }

    /** Decodes one frame; returns its status so the JIT cannot drop the work. */
    @Benchmark
    public int decode()
    {
        final PacketEvent e = events[next];
        next = (next + 1) & (frames - 1);
        decoder.decode(e);
        return e.status + e.dstPort;
    }
}
