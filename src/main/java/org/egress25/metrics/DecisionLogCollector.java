package org.egress25.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.List;
import org.egress25.decision.DecisionLog;

/** Whether the decisions log keeps up: failed writes, decisions held for a retry, decisions given up. */
public final class DecisionLogCollector extends Collector
{
    private final DecisionLog log;

    public DecisionLogCollector(final DecisionLog log)
    {
        this.log = log;
    }

    @Override
    public List<MetricFamilySamples> collect()
    {
        return List.of(
            new CounterMetricFamily("egress25_decisions_log_errors_total",
                "Failed writes of the decisions log (full disk); the file is cut back and the decisions retried.",
                log.errors()),
            new GaugeMetricFamily("egress25_decisions_log_held",
                "Decisions waiting in memory for the decisions log to be writable again.", log.held()),
            new CounterMetricFamily("egress25_decisions_log_lost_total",
                "Decisions given up because too many were held while the decisions log could not be written.",
                log.lost()));
    }
}
