package org.egress25.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which process owns egress25's nftables table, written into the table itself as the one element of its
 * {@code owner} set (a {@code mark}, the owner's pid, with a comment holding the pid, its start time in clock
 * ticks since boot, and the boot id). The mark lives in the kernel beside the sets it guards, so it is seen by
 * every instance in that network namespace whatever its {@code --state-dir}: a second instance refuses to
 * start while the owner lives, instead of deleting the owner's blocks in its start-up reconcile. A pid alone
 * is not enough (pids are reused after a crash); pid, start time and boot id together name one process.
 *
 * <p>Limit: liveness is judged through {@code /proc}, so instances in different pid namespaces sharing one
 * network namespace cannot see each other; run one egress25 per gateway namespace.
 *
 * @param pid       the owner's process id
 * @param startTime field 22 of {@code /proc/PID/stat}
 * @param boot      {@code /proc/sys/kernel/random/boot_id}
 */
record TableOwner(long pid, long startTime, String boot)
{
    private static final Pattern COMMENT = Pattern.compile("egress25 pid=(\\d+) start=(\\d+) boot=([0-9a-f-]+)");

    /** This process. */
    static TableOwner self()
    {
        final long pid = ProcessHandle.current().pid();
        return new TableOwner(pid, startTime(pid), bootId());
    }

    /** The mark as written by {@link #comment()}, or null for anything else. */
    static TableOwner parse(final String comment)
    {
        final Matcher m = comment == null ? null : COMMENT.matcher(comment);
        return m != null && m.matches() ? new TableOwner(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3))
            : null;
    }

    String comment()
    {
        return "egress25 pid=" + pid + " start=" + startTime + " boot=" + boot;
    }

    /** True while the process that wrote the mark still runs (same boot, same pid, same start time). */
    boolean alive()
    {
        return boot.equals(bootId()) && startTime >= 0 && startTime(pid) == startTime;
    }

    private static long startTime(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name in field 2 may hold spaces and parentheses: count fields after the last ')'
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[19]);
        }
        catch (final IOException | RuntimeException e)
        {
            return -1;
        }
    }

    private static String bootId()
    {
        try
        {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        }
        catch (final IOException e)
        {
            return "unknown";
        }
    }
}
