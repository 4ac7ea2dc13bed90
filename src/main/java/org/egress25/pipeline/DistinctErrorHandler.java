package org.egress25.pipeline;

import com.lmax.disruptor.ExceptionHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.egress25.event.PacketEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bug in a handler must not stop the pipeline or flood the log. Each distinct error is logged once with its
 * stack trace, then only counted with when it was first and last seen, as Agrona's DistinctErrorLog does;
 * processing continues with the next event.
 *
 * <p>Errors are told apart by their whole stack trace, causes included: the same exception type thrown at the
 * same line but reached from two callers is two bugs, and keying on the first frame alone would never log the
 * second one. At most {@value #MAX_DISTINCT} distinct errors are remembered (a trace is a few kilobytes, so about
 * 1 MB at worst); past that, new kinds are counted in {@link #overflow()} and logged once in all, so a handler
 * failing differently on every packet cannot grow the heap.
 */
public final class DistinctErrorHandler implements ExceptionHandler<PacketEvent>
{
    /** Distinct errors remembered; a healthy gateway has none, a buggy build a handful. */
    static final int MAX_DISTINCT = 256;

    private static final Logger LOG = LoggerFactory.getLogger(DistinctErrorHandler.class);

    private final ConcurrentHashMap<String, Seen> seen = new ConcurrentHashMap<>();
    private final AtomicLong overflow = new AtomicLong();
    private final PipelineCounters counters;
    private final Logger log;

    /** One distinct error: its trace, how often, and when first and last. */
    public static final class Seen
    {
        private final String trace;
        private final Instant first;
        private final AtomicLong count = new AtomicLong();
        private volatile Instant last;

        Seen(final String trace, final Instant first)
        {
            this.trace = trace;
            this.first = first;
            this.last = first;
        }

        /** The first line of the trace: the exception and its message. */
        public String summary()
        {
            final int end = trace.indexOf('\n');
            return (end < 0 ? trace : trace.substring(0, end)).strip();
        }

        public String trace()
        {
            return trace;
        }

        public long count()
        {
            return count.get();
        }

        public Instant firstSeen()
        {
            return first;
        }

        public Instant lastSeen()
        {
            return last;
        }
    }

    DistinctErrorHandler(final PipelineCounters counters)
    {
        this(counters, LOG);
    }

    /** Logs to {@code log} instead of the class's logger; tests pass one that records the lines. */
    DistinctErrorHandler(final PipelineCounters counters, final Logger log)
    {
        this.counters = counters;
        this.log = log;
    }

    @Override
    public void handleEventException(final Throwable ex, final long sequence, final PacketEvent event)
    {
        counters.incrementFromAnyThread(PipelineCounters.HANDLER_ERRORS);
        final Instant now = Instant.now();
        final String trace = traceOf(ex);
        Seen entry = seen.get(trace);
        if (entry == null)
        {
            if (seen.size() >= MAX_DISTINCT)
            {
                if (overflow.getAndIncrement() == 0)
                {
                    log.error("more than {} distinct errors processing events; further new ones are only counted",
                        MAX_DISTINCT, ex);
                }
                return;
            }
            final Seen fresh = new Seen(trace, now);
            entry = seen.putIfAbsent(trace, fresh);
            if (entry == null)
            {
                entry = fresh;
                log.error("error processing event {} (logged once; further occurrences are counted in "
                    + "egress25_handler_errors_total)", sequence, ex);
            }
        }
        entry.count.incrementAndGet();
        entry.last = now;
    }

    /** The distinct errors seen, most frequent first. */
    public List<Seen> distinct()
    {
        final List<Seen> list = new ArrayList<>(seen.values());
        list.sort(Comparator.comparingLong(Seen::count).reversed());
        return list;
    }

    /** Errors of a kind first seen after {@value #MAX_DISTINCT} kinds were already remembered. */
    public long overflow()
    {
        return overflow.get();
    }

    private static String traceOf(final Throwable ex)
    {
        final StringWriter text = new StringWriter();
        ex.printStackTrace(new PrintWriter(text));
        return text.toString();
    }

    @Override
    public void handleOnStartException(final Throwable ex)
    {
        log.error("pipeline failed to start", ex);
    }

    @Override
    public void handleOnShutdownException(final Throwable ex)
    {
        log.error("pipeline failed to shut down cleanly", ex);
    }
}
