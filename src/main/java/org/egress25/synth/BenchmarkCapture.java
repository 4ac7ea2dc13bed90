package org.egress25.synth;

import java.nio.file.Path;

/**
 * Writes the mixed benchmark capture, for {@code benchmarks/replay-vs-tcpdump.sh}:
 * {@code java -cp target/egress25.jar org.egress25.synth.BenchmarkCapture OUT PACKETS [SEED]}.
 */
public final class BenchmarkCapture
{
    private BenchmarkCapture()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length < 2 || args.length > 3)
        {
            System.err.println("usage: BenchmarkCapture OUT.pcap PACKETS [SEED]");
            System.exit(2);
        }
        final long packets;
        final long seed;
        try
        {
            packets = Long.parseLong(args[1].replace("_", ""));
            seed = args.length == 3 ? Long.parseLong(args[2]) : 25;
        }
        catch (final NumberFormatException e)
        {
            System.err.println("PACKETS and SEED must be whole numbers: " + e.getMessage());
            System.exit(2);
            return;
        }
        final long began = System.nanoTime();
        TrafficGenerator.writeMixedBenchmark(Path.of(args[0]), packets, seed);
        final double seconds = (System.nanoTime() - began) / 1e9;
        System.err.printf("wrote %,d packets to %s in %.1f s%n", packets, args[0], seconds);
    }
}
