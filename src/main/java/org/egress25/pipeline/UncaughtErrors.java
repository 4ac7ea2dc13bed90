package org.egress25.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last line of defence: a throwable that escapes any thread of the process is logged with its stack trace
 * and counted by thread role, for {@code egress25_uncaught_errors_total{thread}}, instead of printing to a
 * standard error nobody reads while a capture, reload or enforcer thread silently stops. Each thread that can
 * meet hostile input catches what it can survive itself (the rules reloader goes on after any error); this
 * handler makes the rest visible and alertable.
 *
 * <p>The label is the thread's name with numbers after a separator folded to {@code #}
 * ({@code pool-#-thread-#}, while {@code egress25-capture} stays), never anything
 * from the input, and at most {@value #MAX_ROLES} roles are kept (then {@code other}), so the series stay few.
 */
public final class UncaughtErrors implements Thread.UncaughtExceptionHandler
{
    static final int MAX_ROLES = 32;

    private static final Logger LOG = LoggerFactory.getLogger(UncaughtErrors.class);
    private static final UncaughtErrors PROCESS = new UncaughtErrors();

    private final ConcurrentHashMap<String, AtomicLong> byRole = new ConcurrentHashMap<>();

    UncaughtErrors()
    {
    }

    /** Makes the process-wide handler the default for every thread and returns it; idempotent. */
    public static UncaughtErrors install()
    {
        Thread.setDefaultUncaughtExceptionHandler(PROCESS);
        return PROCESS;
    }

    /** The process-wide handler, installed or not. */
    public static UncaughtErrors process()
    {
        return PROCESS;
    }

    @Override
    public void uncaughtException(final Thread thread, final Throwable error)
    {
        String role = role(thread.getName());
        if (!byRole.containsKey(role) && byRole.size() >= MAX_ROLES)
        {
            role = "other";
        }
        byRole.computeIfAbsent(role, r -> new AtomicLong()).incrementAndGet();
        try
        {
            LOG.error("thread {} stopped by an uncaught {} (counted in egress25_uncaught_errors_total)",
                thread.getName(), error.getClass().getName(), error);
        }
        catch (final Throwable logging)
        {
            // out of memory or a broken log: the count above is what is left
        }
    }

    /** Uncaught errors by thread role, in name order. */
    public Map<String, Long> byThread()
    {
        final Map<String, Long> counts = new TreeMap<>();
        byRole.forEach((role, count) -> counts.put(role, count.get()));
        return counts;
    }

    static String role(final String threadName)
    {
        return threadName.replaceAll("(?<=[-_ #])[0-9]+", "#");
    }
}
