package org.egress25.cli;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.egress25.decision.SyslogSender;

/** Builds the {@code --syslog} sender and exports what it sent and lost, so a dead collector shows on a dashboard. */
final class Syslog
{
    private Syslog()
    {
    }

    static SyslogSender sender(final String target, final String facility, final CollectorRegistry registry)
    {
        final SyslogSender sender;
        try
        {
            sender = new SyslogSender(target, facility, hostname());
        }
        catch (final IllegalArgumentException e)
        {
            throw new ConfigException(e.getMessage());
        }
        new io.prometheus.client.Collector()
        {
            @Override
            public List<MetricFamilySamples> collect()
            {
                final CounterMetricFamily messages = new CounterMetricFamily("egress25_syslog_messages_total",
                    "Decisions sent to the --syslog collector, by result (sent, or lost: collector down or unreachable).",
                    List.of("result"));
                messages.addMetric(List.of("sent"), sender.sent());
                messages.addMetric(List.of("lost"), sender.errors());
                return List.of(messages);
            }
        }.register(registry);
        return sender;
    }

    private static String hostname()
    {
        try
        {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (final UnknownHostException e)
        {
            return "-";
        }
    }
}
