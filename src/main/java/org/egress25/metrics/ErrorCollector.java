package org.egress25.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import org.egress25.pipeline.DistinctErrorHandler;
import org.egress25.pipeline.UncaughtErrors;

/** Errors that are bugs, not input: distinct analysis-thread errors and throwables no thread caught. */
public final class ErrorCollector extends Collector
{
    private final DistinctErrorHandler handler;
    private final UncaughtErrors uncaught;

    public ErrorCollector(final DistinctErrorHandler handler, final UncaughtErrors uncaught)
    {
        this.handler = handler;
        this.uncaught = uncaught;
    }

    @Override
    public List<MetricFamilySamples> collect()
    {
        final List<MetricFamilySamples> out = new ArrayList<>();
        final List<DistinctErrorHandler.Seen> distinct = handler.distinct();
        out.add(new GaugeMetricFamily("egress25_handler_distinct_errors",
            "Distinct errors (by whole stack trace) caught in the analysis thread; each is logged once.",
            distinct.size() + (handler.overflow() > 0 ? 1 : 0)));
        double last = 0;
        for (final DistinctErrorHandler.Seen seen : distinct)
        {
            last = Math.max(last, seen.lastSeen().toEpochMilli() / 1000.0);
        }
        out.add(new GaugeMetricFamily("egress25_handler_error_last_seen_timestamp_seconds",
            "When the analysis thread last caught an error, seconds since the epoch; 0 if never.", last));
        final CounterMetricFamily threads = new CounterMetricFamily("egress25_uncaught_errors_total",
            "Throwables that escaped a thread, by thread role (numbered threads folded to #); the thread stopped.",
            List.of("thread"));
        uncaught.byThread().forEach((role, count) -> threads.addMetric(List.of(role), count));
        out.add(threads);
        return out;
    }
}
