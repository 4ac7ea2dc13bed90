package org.egress25.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.egress25.decision.Action;
import org.egress25.enforce.EnforcerService;

/** Active blocks, blocks and unblocks applied by rule and source, and what went wrong applying them. */
public final class EnforcementCollector extends Collector
{
    private final EnforcerService service;

    public EnforcementCollector(final EnforcerService service)
    {
        this.service = service;
    }

    @Override
    public List<MetricFamilySamples> collect()
    {
        final List<MetricFamilySamples> out = new ArrayList<>();
        final GaugeMetricFamily active = new GaugeMetricFamily("egress25_blocks_active",
            "Hosts blocked now, by address family.", List.of("family"));
        active.addMetric(List.of("ipv4"), service.activeBlocks(false));
        active.addMetric(List.of("ipv6"), service.activeBlocks(true));
        out.add(active);
        final CounterMetricFamily blocks = new CounterMetricFamily("egress25_blocks_total",
            "Blocks applied, by rule and source (detector, manual, reconcile).", List.of("rule", "source"));
        final CounterMetricFamily unblocks = new CounterMetricFamily("egress25_unblocks_total",
            "Unblocks applied, by rule and source (detector, manual, reconcile).", List.of("rule", "source"));
        for (final Map.Entry<EnforcerService.CounterKey, Long> e : service.applied().entrySet())
        {
            final EnforcerService.CounterKey key = e.getKey();
            final List<String> labels = List.of(key.rule(), key.source().label());
            if (key.action() == Action.BLOCK)
            {
                blocks.addMetric(labels, e.getValue());
            }
            else if (key.action() == Action.UNBLOCK)
            {
                unblocks.addMetric(labels, e.getValue());
            }
        }
        out.add(blocks);
        out.add(unblocks);
        out.add(new CounterMetricFamily("egress25_enforcer_errors_total",
            "Failures applying decisions to the firewall (nft missing or failing, exec failures); retried.",
            service.errors()));
        out.add(new CounterMetricFamily("egress25_enforcer_journal_errors_total",
            "Failures writing the block journal.", service.journalErrors()));
        out.add(new CounterMetricFamily("egress25_enforcer_dropped_total",
            "Decisions dropped because the enforcer queue was full.", service.dropped()));
        out.add(new GaugeMetricFamily("egress25_enforcer_queue_depth",
            "Decisions waiting for the enforcer thread.", service.queueDepth()));
        out.add(new GaugeMetricFamily("egress25_enforcer_up",
            "1 when the enforcer started and applies decisions, 0 while it is retrying.",
            service.enforcerStarted() ? 1 : 0));
        return out;
    }
}
