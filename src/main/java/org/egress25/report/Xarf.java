package org.egress25.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One flagged host as an abuse report for ticket systems, in the shape of X-ARF v4 (the JSON abuse-report
 * format of abusix and the German ISP working group: {@code Version}, {@code ReporterInfo}, {@code Report}
 * with {@code ReportClass}, {@code ReportType}, {@code SourceType}, {@code Source}, {@code Date}), class
 * {@code Activity}, type {@code Spam} for a host blocked as a spambot or {@code Alert} when it only drew
 * alerts. The egress25 detail (decisions with their redacted evidence, strikes, SMTP summary) rides along
 * under {@code Report.Egress25}, so a ticket keeps the whole case.
 */
public final class Xarf
{
    private Xarf()
    {
    }

    /**
     * @param report  the report the host is in
     * @param host    inside address as the report lists it
     * @param reporter who reports: the gateway's name, e.g. {@code egress25@gw1.isp.example}
     * @throws IllegalArgumentException when the host is not in the report
     */
    public static Map<String, Object> of(final Map<String, Object> report, final String host, final String reporter)
    {
        final Map<String, Object> entry = find(report, host);
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("Version", "4");
        final Map<String, Object> reporterInfo = new LinkedHashMap<>();
        reporterInfo.put("ReporterOrg", "egress25");
        reporterInfo.put("ReporterOrgEmail", reporter);
        root.put("ReporterInfo", reporterInfo);
        root.put("Disclosure", false);
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("ReportClass", "Activity");
        r.put("ReportType", "block".equals(entry.get("verdict")) ? "Spam" : "Alert");
        r.put("FirstSeen", entry.get("first_flagged"));
        r.put("Date", lastDecisionTime(entry));
        r.put("SourceType", String.valueOf(entry.get("host")).indexOf(':') >= 0 ? "ipv6" : "ipv4");
        r.put("Source", entry.get("host"));
        r.put("DestinationPort", 25);
        r.put("Ongoing", "blocked".equals(entry.get("status")));
        r.put("Samples", samples(entry));
        r.put("Egress25", entry);
        root.put("Report", r);
        return root;
    }

    private static Map<String, Object> find(final Map<String, Object> report, final String host)
    {
        if (report.get("hosts") instanceof List<?> hosts)
        {
            for (final Object o : hosts)
            {
                if (o instanceof Map<?, ?> m && host.equals(m.get("host")))
                {
                    @SuppressWarnings("unchecked")
                    final Map<String, Object> entry = (Map<String, Object>)m;
                    return entry;
                }
            }
        }
        throw new IllegalArgumentException(host + " is not in the flagged-host report");
    }

    private static Object lastDecisionTime(final Map<String, Object> entry)
    {
        Object last = entry.get("first_flagged");
        if (entry.get("decisions") instanceof List<?> decisions && !decisions.isEmpty()
            && decisions.get(decisions.size() - 1) instanceof Map<?, ?> d)
        {
            last = d.get("time");
        }
        return last;
    }

    /** The decision reasons, one line each: what a person reading the ticket wants first. */
    private static List<String> samples(final Map<String, Object> entry)
    {
        final List<String> out = new ArrayList<>();
        if (entry.get("decisions") instanceof List<?> decisions)
        {
            for (final Object o : decisions)
            {
                if (o instanceof Map<?, ?> d)
                {
                    out.add(d.get("time") + " " + d.get("action") + " " + d.get("rule") + ": " + d.get("reason"));
                }
            }
        }
        return out;
    }
}
