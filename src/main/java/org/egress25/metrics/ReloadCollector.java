package org.egress25.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import org.egress25.policy.PolicyReloader;

/** Rule reloads by result, when the last one happened, and which rules are active (by hash). */
public final class ReloadCollector extends Collector
{
    private final PolicyReloader reloader;

    public ReloadCollector(final PolicyReloader reloader)
    {
        this.reloader = reloader;
    }

    @Override
    public List<MetricFamilySamples> collect()
    {
        final List<MetricFamilySamples> out = new ArrayList<>();
        final CounterMetricFamily reloads = new CounterMetricFamily("egress25_rules_reload_total",
            "Rule reloads by result; a failure keeps the running rules.", List.of("result"));
        reloads.addMetric(List.of("success"), reloader.reloads("success"));
        reloads.addMetric(List.of("failure"), reloader.reloads("failure"));
        out.add(reloads);
        out.add(new GaugeMetricFamily("egress25_rules_last_reload_timestamp_seconds",
            "When rules were last reloaded (successfully or not), seconds since the epoch; 0 before the first.",
            reloader.lastReload() == null ? 0 : reloader.lastReload().toEpochMilli() / 1000.0));
        out.add(new GaugeMetricFamily("egress25_rules_last_reload_success",
            "1 when the last reload succeeded (or none was tried), 0 when it failed.",
            reloader.lastReloadSucceeded() ? 1 : 0));
        final GaugeMetricFamily active = new GaugeMetricFamily("egress25_rules_active_info",
            "The rules in force, by hash; one series valued 1.", List.of("hash"));
        active.addMetric(List.of(reloader.activeHash()), 1);
        out.add(active);
        return out;
    }
}
