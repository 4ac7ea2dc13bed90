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
            "Rule reloads by result; a failure keeps the running rules, and so does a held reload (one that would "
                + "remove much of them) until SIGHUP.", List.of("result"));
        for (final String result : List.of("success", "failure", "held"))
        {
            reloads.addMetric(List.of(result), reloader.reloads(result));
        }
        out.add(reloads);
        out.add(new GaugeMetricFamily("egress25_rules_last_reload_timestamp_seconds",
            "When rules were last loaded (successfully or not), seconds since the epoch; the start time before the first reload.",
            reloader.lastReload().toEpochMilli() / 1000.0));
        out.add(new GaugeMetricFamily("egress25_rules_last_reload_success",
            "1 when the rule files are the rules in force (at start, after a reload, when files return to them), 0 after a "
                + "refused or held reload.",
            reloader.lastReloadSucceeded() ? 1 : 0));
        final GaugeMetricFamily active = new GaugeMetricFamily("egress25_rules_active_info",
            "The rules in force, by hash; one series valued 1.", List.of("hash"));
        active.addMetric(List.of(reloader.activeHash()), 1);
        out.add(active);
        return out;
    }
}
