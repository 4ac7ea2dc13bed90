package org.egress25.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import java.util.List;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionListener;

/** Decisions by rule and action (rule ids come from the rule file, a small bounded set; never host labels). */
public final class DecisionMetrics implements DecisionListener
{
    private final Counter decisions;

    public DecisionMetrics(final CollectorRegistry registry)
    {
        decisions = Counter.build("egress25_decisions_total", "Decisions made, by rule, action and source.")
            .labelNames("rule", "action", "source")
            .register(registry);
    }

    @Override
    public void onDecisions(final List<Decision> batch)
    {
        for (final Decision d : batch)
        {
            decisions.labels(d.rule(), d.action().label(), d.source().label()).inc();
        }
    }
}
