package org.egress25.smtp;

import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.egress25.analysis.Analyser;
import org.egress25.decision.Verdicts;
import org.egress25.event.PacketEvent;
import org.egress25.policy.Policy;
import org.egress25.synth.TrafficGenerator;

/**
 * What the SMTP analyser adds to a replay; not a unit test, a measurement.
 *
 * <p>Run: {@code mvn -q -B -o test-compile && java -cp target/classes:target/test-classes:$(cat cp.txt)
 * org.egress25.smtp.SmtpReplayThroughput [file] [packets]} (with {@code mvn dependency:build-classpath
 * -Dmdep.outputFile=cp.txt} once). Generates the project's mixed benchmark capture
 * ({@link TrafficGenerator#writeMixedBenchmark}: ~28% full mail sessions, 70% web) unless the file exists,
 * then alternates read+decode+orient with and without the SMTP analyser, printing thread CPU per packet and
 * bytes allocated per packet for each.
 */
public final class SmtpReplayThroughput
{
    private SmtpReplayThroughput()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path file = Paths.get(args.length > 0 ? args[0] : "/tmp/egress25-smtp-bench.pcap");
        final long packets = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        if (!Files.exists(file))
        {
            TrafficGenerator.writeMixedBenchmark(file, packets, 25);
        }
        final Policy policy = TestCapture.policy();
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final String[] variants = {"decode only", "SMTP, no log", "SMTP + log"};
        for (int round = 0; round < 4; round++)
        {
            for (int variant = 0; variant < variants.length; variant++)
            {
                final SessionLogWriter log = variant == 2
                    ? new SessionLogWriter(new FileOutputStream("/dev/null"), false) : null;
                final long[] sessions = new long[1];
                final Analyser analyser = variant == 0 ? new Analyser()
                {
                    @Override
                    public void onSegment(final PacketEvent event)
                    {
                    }

                    @Override
                    public void onTick(final long nowNanos)
                    {
                    }
                } : new SmtpAnalyser(() -> policy, new Verdicts(d -> { }, policy.ladder()),
                    (hi, lo, outcome, now) -> sessions[0]++, log, SmtpLimits.defaults());
                final long allocated = threads.getCurrentThreadAllocatedBytes();
                final long cpu = threads.getCurrentThreadCpuTime();
                final int count = TestCapture.replay(file, policy, analyser);
                final long cpuNanos = threads.getCurrentThreadCpuTime() - cpu;
                final long bytes = threads.getCurrentThreadAllocatedBytes() - allocated;
                System.out.printf("round %d %-14s %,d packets (%,d sessions): %.0f ns CPU/packet, "
                        + "%.1f B allocated/packet%n", round, variants[variant], count,
                    sessions[0], (double)cpuNanos / count, (double)bytes / count);
            }
        }
    }
}
