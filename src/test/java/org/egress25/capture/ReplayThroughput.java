package org.egress25.capture;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import org.egress25.decode.DecodeStatus;
import org.egress25.decode.FrameDecoder;
import org.egress25.decode.TestFrames;
import org.egress25.event.PacketEvent;

/**
 * Throughput of replay (reader plus decoder) on a large generated pcap; not a unit test, a measurement.
 *
 * <p>Run: {@code mvn -q -B -o test-compile && java -cp target/classes:target/test-classes:$(cat cp.txt)
 * org.egress25.capture.ReplayThroughput [file] [packets]} (with {@code mvn dependency:build-classpath
 * -Dmdep.outputFile=cp.txt} once). Generates {@code /tmp/egress25-throughput.pcap} (3 M packets, mean ~500 B,
 * Ethernet, IPv4 and IPv6 TCP, a third on port 25, some UDP) unless it exists, then reads it several times with
 * a direct and a heap buffer of 1 and 4 MiB, with and without decoding, and prints packets/s, ns/packet (wall
 * and thread CPU) and bytes allocated per packet.
 * Compare with {@code time tcpdump -r /tmp/egress25-throughput.pcap -w /dev/null}.
 */
public final class ReplayThroughput
{
    private ReplayThroughput()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path file = Paths.get(args.length > 0 ? args[0] : "/tmp/egress25-throughput.pcap");
        final int packets = args.length > 1 ? Integer.parseInt(args[1]) : 3_000_000;
        if (!Files.exists(file))
        {
            generate(file, packets);
        }
        System.out.printf("%s: %,d bytes%n", file, Files.size(file));
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final FrameDecoder decoder = new FrameDecoder();
        final PacketEvent e = PacketEvent.factory(PacketEvent.MAX_FRAME).newInstance();
        // {buffer size, direct?, decode?}
        final int[][] configurations = {{1 << 20, 1, 1}, {1 << 20, 0, 1}, {1 << 22, 1, 1}, {1 << 20, 1, 0}};
        for (int round = 0; round < 5; round++)
        {
            for (final int[] configuration : configurations)
            {
                final int size = configuration[0];
                final boolean direct = configuration[1] == 1;
                final boolean decode = configuration[2] == 1;
                final long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                final long cpuBefore = threads.getCurrentThreadCpuTime();
                final long userBefore = threads.getCurrentThreadUserTime();
                final long start = System.nanoTime();
                long count = 0;
                long ok = 0;
                try (CaptureFileReader reader = CaptureFileReader.open(file, size, direct))
                {
                    while (reader.next(e))
                    {
                        count++;
                        if (decode)
                        {
                            decoder.decode(e);
                            ok += e.status == DecodeStatus.OK ? 1 : 0;
                        }
                    }
                }
                final long elapsed = System.nanoTime() - start;
                final long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
                final long user = threads.getCurrentThreadUserTime() - userBefore;
                final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
                // the machine is shared, so thread CPU time (user + system) is the steadier figure
                System.out.printf("round %d %-6s %4d KiB %-13s %,d packets (%,d tcp): wall %.3f s = %.2f M/s = %.0f ns/packet;"
                        + " cpu %.3f s = %.2f M/s = %.0f ns/packet (user %.0f); %.4f B allocated/packet%n",
                    round, direct ? "direct" : "heap", size >> 10, decode ? "read+decode" : "read only", count, ok,
                    elapsed / 1e9, count * 1e3 / elapsed, (double)elapsed / count,
                    cpu / 1e9, count * 1e3 / cpu, (double)cpu / count, (double)user / count,
                    (double)allocated / count);
            }
        }
    }

    private static void generate(final Path file, final int packets) throws IOException
    {
        final Random random = new Random(25);
        final byte[][] templates = new byte[256][];
        for (int i = 0; i < templates.length; i++)
        {
            final int size = 20 + random.nextInt(900);  // mean frame ~520 bytes
            final byte[] payload = new byte[size];
            random.nextBytes(payload);
            final int port = i % 3 == 0 ? 25 : i % 3 == 1 ? 443 : 80;
            final byte[] segment = TestFrames.tcp(1024 + i, port, payload);
            templates[i] = i % 10 == 9
                ? TestFrames.ethernet(0x0800, TestFrames.ipv4(17, "10.0.0." + i, "192.0.2.53", 0, payload))
                : i % 4 == 3
                ? TestFrames.ethernet(0x86dd, TestFrames.ipv6("2001:db8::" + Integer.toHexString(i), "2001:db8:1::25", segment))
                : TestFrames.ethernet(0x0800, TestFrames.ipv4("10.0.0." + i, "198.51.100." + (i & 63), segment));
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))
        {
            final TestCaptureWriter writer = new TestCaptureWriter(out, ByteOrder.LITTLE_ENDIAN).pcapHeader(false, 1, 65535);
            long micros = 1_764_290_000_000_000L;
            for (int i = 0; i < packets; i++)
            {
                micros += random.nextInt(50);
                writer.pcapRecord(micros / 1_000_000, micros % 1_000_000, templates[random.nextInt(templates.length)]);
            }
        }
    }
}
