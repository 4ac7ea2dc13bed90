package org.egress25.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import org.egress25.analysis.RateAnalyser;
import org.egress25.analysis.RateStats;

/** Per-host state of the rate analyser: how many hosts and connections are tracked, and what evicted them. */
public final class AnalysisCollector extends Collector
{
    private final RateStats stats;

    public AnalysisCollector(final RateAnalyser analyser)
    {
        this.stats = analyser.stats();
    }

    @Override
    public List<MetricFamilySamples> collect()
    {
        final List<MetricFamilySamples> out = new ArrayList<>();
        out.add(new GaugeMetricFamily("egress25_hosts_tracked", "Inside hosts with rate state.", stats.trackedHosts()));
        out.add(new GaugeMetricFamily("egress25_hosts_capacity", "Cap on tracked inside hosts.", stats.hostCapacity()));
        final CounterMetricFamily evicted = new CounterMetricFamily("egress25_hosts_evicted_total",
            "Hosts dropped from tracking: idle (quiet past the longest window) or capacity (cap reached).",
            List.of("reason"));
        evicted.addMetric(List.of("idle"), stats.idleEvictions());
        evicted.addMetric(List.of("capacity"), stats.capacityEvictions());
        out.add(evicted);
        out.add(new GaugeMetricFamily("egress25_ipv6_prefixes_tracked",
            "IPv6 prefixes (a class's ipv6-prefix, /64 by default) judged as one beside their addresses.",
            stats.prefixesTracked()));
        final CounterMetricFamily prefixesEvicted = new CounterMetricFamily("egress25_ipv6_prefixes_evicted_total",
            "IPv6 prefixes dropped from tracking: idle or capacity, as for hosts.", List.of("reason"));
        prefixesEvicted.addMetric(List.of("idle"), stats.prefixIdleEvictions());
        prefixesEvicted.addMetric(List.of("capacity"), stats.prefixCapacityEvictions());
        out.add(prefixesEvicted);
        out.add(new GaugeMetricFamily("egress25_connections_tracked",
            "TCP connections tracked for SYN timeouts and concurrency.", stats.connectionsTracked()));
        out.add(new CounterMetricFamily("egress25_connections_evicted_total",
            "Connections dropped from a full connection table.", stats.connectionEvictions()));
        out.add(new CounterMetricFamily("egress25_smtp_connection_attempts_total",
            "Outbound SYNs to SMTP ports from inside hosts (retransmissions excluded).", stats.synsSeen()));
        out.add(new CounterMetricFamily("egress25_smtp_syn_retransmissions_total",
            "Retransmitted SYNs, not counted as new attempts.", stats.synRetransmissions()));
        out.add(new CounterMetricFamily("egress25_smtp_connection_failures_total",
            "Attempts that failed: RST from the server or no SYN-ACK within the SYN timeout.", stats.failuresDetected()));
        out.add(new GaugeMetricFamily("egress25_hosts_flagged",
            "Hosts with report detail (some rule fired for them).", stats.flaggedHosts()));
        return out;
    }
}
