package org.egress25.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import org.egress25.smtp.Anomaly;
import org.egress25.smtp.Cap;
import org.egress25.smtp.SmtpAnalyser;
import org.egress25.smtp.TlsState;
import org.egress25.smtp.Verb;

/** The SMTP dialogue: sessions by port and TLS state, commands and replies, anomalies, and caps that bit. */
public final class SmtpCollector extends Collector
{
    private final SmtpAnalyser smtp;
    private final boolean dialogue;

    /** @param dialogue false under --no-dialogue, so a dashboard can tell "no SMTP" from "not looking" */
    public SmtpCollector(final SmtpAnalyser smtp, final boolean dialogue)
    {
        this.smtp = smtp;
        this.dialogue = dialogue;
    }

    @Override
    public List<MetricFamilySamples> collect()
    {
        final List<MetricFamilySamples> out = new ArrayList<>();
        out.add(new GaugeMetricFamily("egress25_smtp_dialogue_enabled",
            "1 when SMTP dialogues are read, 0 under --no-dialogue (the SMTP counters then stay at zero).",
            dialogue ? 1 : 0));
        final CounterMetricFamily sessions = new CounterMetricFamily("egress25_smtp_sessions_total",
            "SMTP sessions ended, by server port and TLS state (encrypted sessions are counted, never judged clean).",
            List.of("port", "tls"));
        for (final int port : smtp.sessionPorts())
        {
            for (final TlsState tls : TlsState.values())
            {
                sessions.addMetric(List.of(Integer.toString(port), tls.label()), smtp.sessions(port, tls));
            }
        }
        out.add(sessions);
        final CounterMetricFamily commands = new CounterMetricFamily("egress25_smtp_commands_total",
            "Client commands parsed, by verb.", List.of("verb"));
        for (final Verb verb : Verb.values())
        {
            commands.addMetric(List.of(verb.label()), smtp.commands(verb));
        }
        out.add(commands);
        final CounterMetricFamily replies = new CounterMetricFamily("egress25_smtp_replies_total",
            "Server replies parsed, by class.", List.of("class"));
        for (int c = 2; c <= 5; c++)
        {
            replies.addMetric(List.of(c + "xx"), smtp.replies(c));
        }
        out.add(replies);
        final CounterMetricFamily anomalies = new CounterMetricFamily("egress25_smtp_anomalies_total",
            "Protocol anomalies (garbage, over-long lines, out-of-order commands, gaps), by kind.", List.of("kind"));
        for (final Anomaly a : Anomaly.values())
        {
            anomalies.addMetric(List.of(a.label()), smtp.anomalies(a));
        }
        out.add(anomalies);
        final CounterMetricFamily caps = new CounterMetricFamily("egress25_smtp_caps_hit_total",
            "Times a parser or tracker bound bit (connections, buffered bytes, line length, idle timeout).",
            List.of("cap"));
        for (final Cap cap : Cap.values())
        {
            caps.addMetric(List.of(cap.label()), smtp.capHits(cap));
        }
        out.add(caps);
        out.add(new GaugeMetricFamily("egress25_smtp_sessions_open", "SMTP sessions being tracked now.",
            smtp.openSessions()));
        out.add(new GaugeMetricFamily("egress25_smtp_pattern_hosts_bytes",
            "Heap bytes of the SMTP pattern detectors' per-host state (bounded; caps_hit_total{cap=\"pattern_bytes\"} "
                + "counts hosts forgotten to stay within it).", smtp.patternBytes()));
        out.add(new GaugeMetricFamily("egress25_smtp_sessions_half_open",
            "SMTP sessions tracked now that saw nothing but the client's SYNs (spoofed SYNs stay here until the SYN "
                + "timeout or eviction; caps_hit_total{cap=\"half_open_evicted\"} rising means the table is full).",
            smtp.halfOpenSessions()));
        return out;
    }
}
