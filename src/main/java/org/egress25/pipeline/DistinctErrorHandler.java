package org.egress25.pipeline;

import com.lmax.disruptor.ExceptionHandler;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bug in a handler must not stop the pipeline or flood the log. Each distinct error (type and first
 * stack frame) is logged once with its stack trace, then only counted, as Agrona's DistinctErrorLog does;
 * processing continues with the next event.
 */
final class DistinctErrorHandler implements ExceptionHandler<PacketEvent>
{
    private static final Logger LOG = LoggerFactory.getLogger(DistinctErrorHandler.class);

    private final ConcurrentHashMap<String, AtomicLong> seen = new ConcurrentHashMap<>();
    private final PipelineCounters counters;

    DistinctErrorHandler(final PipelineCounters counters)
    {
        this.counters = counters;
    }

    @Override
    public void handleEventException(final Throwable ex, final long sequence, final PacketEvent event)
    {
        counters.incrementFromAnyThread(PipelineCounters.HANDLER_ERRORS);
        final StackTraceElement[] trace = ex.getStackTrace();
        final String key = ex.getClass().getName() + "@" + (trace.length > 0 ? trace[0] : "?");
        final AtomicLong count = seen.computeIfAbsent(key, k -> new AtomicLong());
        if (count.getAndIncrement() == 0)
        {
            LOG.error("error processing event {} (logged once; further occurrences are counted in "
                + "egress25_handler_errors_total)", sequence, ex);
        }
    }

    @Override
    public void handleOnStartException(final Throwable ex)
    {
        LOG.error("pipeline failed to start", ex);
    }

    @Override
    public void handleOnShutdownException(final Throwable ex)
    {
        LOG.error("pipeline failed to shut down cleanly", ex);
    }
}
