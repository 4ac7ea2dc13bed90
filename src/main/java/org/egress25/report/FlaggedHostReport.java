package org.egress25.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.egress25.analysis.FlaggedHost;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;

/**
 * The abuse desk's view: one entry per flagged host with what was decided, why, and the traffic behind it
 * (first and last seen, each rule's observed value against its threshold, top destinations, attempts per
 * minute). Written as {@code report.json} for tools and {@code report.txt} for people; hosts that were
 * blocked come before hosts that only drew alerts.
 */
public final class FlaggedHostReport
{
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Instant generated;
    private final List<Entry> hosts;

    /** One flagged host. {@code traffic} is null when only non-rate detectors flagged it. */
    public record Entry(String host, String verdict, List<Decision> decisions, int omittedDecisions, FlaggedHost traffic,
        Map<String, Object> smtp)
    {
    }

    private FlaggedHostReport(final Instant generated, final List<Entry> hosts)
    {
        this.generated = generated;
        this.hosts = hosts;
    }

    public static FlaggedHostReport build(
        final List<ReportCollector.HostDecisions> decided,
        final List<FlaggedHost> traffic)
    {
        return build(decided, traffic, Map.of());
    }

    /**
     * @param decided  decisions per host, from the decision stream
     * @param traffic  rate analyser detail for flagged hosts
     * @param smtp     SMTP dialogue summaries by host text (reply codes, HELO samples, blocklist text,
     *                 recipients), already redacted
     */
    public static FlaggedHostReport build(
        final List<ReportCollector.HostDecisions> decided,
        final List<FlaggedHost> traffic,
        final Map<String, Map<String, Object>> smtp)
    {
        final Map<String, FlaggedHost> byHost = new LinkedHashMap<>();
        for (final FlaggedHost h : traffic)
        {
            byHost.put(h.host(), h);
        }
        final List<Entry> entries = new ArrayList<>();
        for (final ReportCollector.HostDecisions d : decided)
        {
            entries.add(new Entry(d.host(), d.verdict().label(), d.decisions(), d.omitted(), byHost.get(d.host()),
                smtp.get(d.host())));
        }
        entries.sort((a, b) -> Boolean.compare("block".equals(b.verdict()), "block".equals(a.verdict())));
        return new FlaggedHostReport(Instant.now(), entries);
    }

    public List<Entry> hosts()
    {
        return hosts;
    }

    public Map<String, Object> toMap()
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("generated", generated.toString());
        root.put("flagged_hosts", hosts.size());
        final List<Object> list = new ArrayList<>();
        for (final Entry e : hosts)
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", e.host());
            m.put("verdict", e.verdict());
            final FlaggedHost t = e.traffic();
            if (t != null)
            {
                m.put("class", t.hostClass());
                m.put("first_seen", t.firstSeen().toString());
                m.put("last_seen", t.lastSeen().toString());
                m.put("first_flagged", t.firstFlagged().toString());
            }
            final List<Object> decisions = new ArrayList<>();
            for (final Decision d : e.decisions())
            {
                decisions.add(DecisionJson.toNode(d));
            }
            m.put("decisions", decisions);
            if (e.omittedDecisions() > 0)
            {
                m.put("decisions_omitted", e.omittedDecisions());
            }
            if (t != null)
            {
                final List<Object> rules = new ArrayList<>();
                for (final FlaggedHost.RuleFiring r : t.rules())
                {
                    final Map<String, Object> rm = new LinkedHashMap<>();
                    rm.put("rule", r.rule());
                    rm.put("time", r.time().toString());
                    rm.put("observed", r.observed());
                    rm.put("threshold", r.threshold());
                    rm.put("wanted", r.wanted().label());
                    rm.put("decided", r.decided() == null ? null : r.decided().label());
                    rules.add(rm);
                }
                m.put("rules_fired", rules);
                final List<Object> top = new ArrayList<>();
                for (final FlaggedHost.DestinationCount dc : t.topDestinations())
                {
                    top.add(pair("address", dc.address(), "attempts", dc.attempts()));
                }
                m.put("top_destinations", top);
                final List<Object> perMinute = new ArrayList<>();
                for (final FlaggedHost.MinuteCount mc : t.attemptsPerMinute())
                {
                    perMinute.add(pair("minute", mc.minute().toString(), "attempts", mc.attempts()));
                }
                m.put("attempts_per_minute", perMinute);
                m.put("attempts_by_port", t.attemptsByPort());
                m.put("attempts_since_flagged", t.attemptsSinceFlagged());
                m.put("failures_since_flagged", t.failuresSinceFlagged());
            }
            if (e.smtp() != null)
            {
                m.put("smtp", e.smtp());
            }
            list.add(m);
        }
        root.put("hosts", list);
        return root;
    }

    public String toJson()
    {
        try
        {
            return JSON.writeValueAsString(toMap()) + "\n";
        }
        catch (final IOException e)
        {
            throw new IllegalStateException(e);
        }
    }

    public String toText()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "egress25 flagged-host report, %d host(s)%n", hosts.size()));
        for (final Entry e : hosts)
        {
            sb.append(String.format(Locale.ROOT, "%n%s  %s%n", e.host(), e.verdict().toUpperCase(Locale.ROOT)));
            final FlaggedHost t = e.traffic();
            if (t != null)
            {
                sb.append(String.format(Locale.ROOT, "  class %s, seen %s .. %s, flagged %s%n", t.hostClass(),
                    t.firstSeen(), t.lastSeen(), t.firstFlagged()));
            }
            for (final Decision d : e.decisions())
            {
                sb.append(String.format(Locale.ROOT, "  %s %-5s %-26s %s%s%n", d.time(), d.action().label(), d.rule(),
                    d.reason(), d.expires() == null ? "" : " [until " + d.expires() + "]"));
            }
            if (t != null)
            {
                if (!t.topDestinations().isEmpty())
                {
                    sb.append("  top destinations:");
                    for (final FlaggedHost.DestinationCount dc : t.topDestinations())
                    {
                        sb.append(' ').append(dc.address()).append(" (").append(dc.attempts()).append(')');
                    }
                    sb.append('\n');
                }
                if (!t.attemptsPerMinute().isEmpty())
                {
                    sb.append("  attempts per minute:");
                    for (final FlaggedHost.MinuteCount mc : t.attemptsPerMinute())
                    {
                        sb.append(' ').append(mc.attempts());
                    }
                    sb.append('\n');
                }
            }
            if (e.smtp() != null)
            {
                sb.append("  smtp: ").append(e.smtp()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Writes report.json and report.txt into {@code dir}, each atomically (temp file, then rename). */
    public void write(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("report.json"), toJson());
        writeAtomically(dir.resolve("report.txt"), toText());
    }

    private static void writeAtomically(final Path target, final String text) throws IOException
    {
        final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A two-key object in the order given. Not {@code Map.of}: its iteration order changes from one JVM run to
     * the next, so two reports of the same capture differed in key order and a plain diff showed noise.
     */
    private static Map<String, Object> pair(final String k1, final Object v1, final String k2, final Object v2)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
