package org.egress25.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.egress25.host.Action;
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
        final CounterMetricFamily journal = new CounterMetricFamily("egress25_journal_errors_total",
            "Block journal trouble: failed writes (full disk; the file is cut back, operator decisions refused), and"
                + " records found damaged at start (skipped, the file kept aside).", List.of("kind"));
        journal.addMetric(List.of("write"), service.journalErrors());
        journal.addMetric(List.of("damaged"), service.journalDamaged());
        out.add(journal);
        out.add(new GaugeMetricFamily("egress25_journal_unwritten_decisions",
            "Detector decisions enforced but not yet in the block journal (it could not be written), retried every 5 s.",
            service.journalUnwritten()));
        out.add(new CounterMetricFamily("egress25_journal_retried_total",
            "Held detector decisions written to the block journal on a later try.", service.journalRetried()));
        out.add(new CounterMetricFamily("egress25_enforcer_drift_total",
            "Corrections periodic reconciles made because the kernel had drifted from the journal (elements re-added"
                + " after a flush or deletion, stray ones removed).", service.drift()));
        out.add(new CounterMetricFamily("egress25_enforcer_unaccounted_kept_total",
            "Kernel elements the journal could not account for (damage, empty state dir), kept until their timeout.",
            service.unaccountedKept()));
        out.add(new CounterMetricFamily("egress25_enforcer_dropped_total",
            "Decisions dropped because the enforcer queue was full.", service.dropped()));
        out.add(new GaugeMetricFamily("egress25_enforcer_queue_depth",
            "Decisions waiting for the enforcer thread.", service.queueDepth()));
        out.add(new GaugeMetricFamily("egress25_enforcer_up",
            "1 when every enforcer started and its outside state is known good (table present, last reconcile"
                + " applied); 0 while a start or a reconcile is failing.",
            service.up() ? 1 : 0));
        return out;
    }
}
