package org.egress25.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.NetNs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle gateway must idle: {@code egress25 run} capturing on a veth that carries no traffic, its CPU time
 * read per thread from {@code /proc} over ten seconds. With Disruptor's {@code SleepingWaitStrategy} the
 * analysis thread alone used 12% of a core in this test; with the blocking wait the whole process uses ~0.2%.
 */
class IdleLiveInstanceIT
{
    private static final long SETTLE_MILLIS = 5_000;
    private static final long MEASURE_MILLIS = 10_000;
    /** USER_HZ, the unit of utime and stime in /proc/PID/task/TID/stat, on every Linux architecture we run on. */
    private static final double TICKS_PER_SECOND = 100.0;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldUseUnderOnePercentOfACoreOnAQuietWire() throws Exception
    {
        assumeTrue(NetNs.available(), "needs root and iproute2 for network namespaces");
        try (NetNs net = new NetNs())
        {
            final String quiet = net.create("idle");
            final String peer = net.create("peer");
            net.link(peer, "e25p0", quiet, "e25i0");
            net.address(quiet, "e25i0", "10.77.0.1/24");
            try (Egress25Process egress = Egress25Process.start(quiet, "run", "--interface", "e25i0",
                "--inside", "10.77.0.0/24", "--metrics-port", "0", "--control-socket", dir.resolve("control.sock").toString(),
                "--state-dir", dir.resolve("state").toString()))
            {
                egress.awaitStderr(l -> l.contains("running on e25i0"), 30_000);
                Thread.sleep(SETTLE_MILLIS); // start-up compilation and first metrics are not idling
                final Map<String, Long> before = ticksByThread(egress.pid());
                Thread.sleep(MEASURE_MILLIS);
                final Map<String, Long> after = ticksByThread(egress.pid());

                final double seconds = MEASURE_MILLIS / 1000.0;
                final double analysis = share(before, after, "egress25-analys", seconds);
                final double total = share(before, after, null, seconds);
                assertThat(analysis).as("analysis thread's share of a core while idle").isLessThan(0.01);
                assertThat(total).as("whole process's share of a core while idle").isLessThan(0.03);
            }
        }
    }

    /** Fraction of one core used between the two readings by the named thread, or by all when name is null. */
    private static double share(final Map<String, Long> before, final Map<String, Long> after, final String name,
        final double seconds)
    {
        long ticks = 0;
        for (final Map.Entry<String, Long> thread : after.entrySet())
        {
            if (name == null || thread.getKey().endsWith("/" + name))
            {
                ticks += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
            }
        }
        return ticks / TICKS_PER_SECOND / seconds;
    }

    /** utime + stime of each thread, keyed "tid/comm". */
    private static Map<String, Long> ticksByThread(final long pid) throws IOException
    {
        final Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : (Iterable<Path>) tasks::iterator)
            {
                final String stat;
                try
                {
                    stat = Files.readString(task.resolve("stat"));
                }
                catch (final IOException e)
                {
                    continue; // the thread ended between listing and reading
                }
                // "tid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis
                final String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                final long utime = Long.parseLong(fields[11]);
                final long stime = Long.parseLong(fields[12]);
                ticks.put(task.getFileName() + "/" + comm, utime + stime);
            }
        }
        return ticks;
    }
}
