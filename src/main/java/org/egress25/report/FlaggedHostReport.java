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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.egress25.analysis.FlaggedHost;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;

/**
 * The abuse desk's view: one entry per flagged host with what was decided, why, and the traffic behind it
 * (first and last seen, each rule's observed value against its threshold, top destinations, attempts per
 * minute). Written as {@code report.json} for tools, {@code report.txt} and {@code report.html} for people;
 * hosts blocked now come first, then those blocked before, then hosts that only drew alerts. Every string is
 * redacted ({@link Redaction}) before any format sees it.
 */
public final class FlaggedHostReport
{
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Instant generated;
    private final List<Entry> hosts;

    /**
     * One flagged host. {@code traffic} is null when only non-rate detectors (or an operator) flagged it; then
     * {@code facts} says what the analysers still know of it. Decisions are already redacted.
     */
    public record Entry(String host, String verdict, List<Decision> decisions, int omittedDecisions, FlaggedHost traffic,
        Map<String, Object> smtp, HostFacts facts, Status status)
    {
        /** The first flag: the earliest of the first rate firing and the first decision. */
        public Instant firstFlagged()
        {
            Instant first = traffic == null ? null : traffic.firstFlagged();
            for (final Decision d : decisions)
            {
                if (first == null || d.time().isBefore(first))
                {
                    first = d.time();
                }
            }
            return first;
        }

        public String hostClass()
        {
            return traffic != null ? traffic.hostClass() : facts == null ? null : facts.hostClass();
        }

        public Instant firstSeen()
        {
            return traffic != null ? traffic.firstSeen() : facts == null ? null : facts.firstSeen();
        }

        public Instant lastSeen()
        {
            return traffic != null ? traffic.lastSeen() : facts == null ? null : facts.lastSeen();
        }
    }

    /**
     * What is known of a host without rate detail: its class under the running rules and, if the rate
     * analyser still tracks it, when it was first and last seen (either may be null).
     */
    public record HostFacts(String hostClass, Instant firstSeen, Instant lastSeen)
    {
    }

    /**
     * Where a host stands now, from its last block or unblock: a host that was unblocked is not headed
     * "BLOCK" however often it was blocked before.
     *
     * @param state blocked, expired (its block ran out), unblocked, or alert (never blocked)
     * @param at    until when a block lasts (null without expiry), when it expired, or when it was lifted
     */
    public record Status(String state, Instant at)
    {
        static Status of(final List<Decision> decisions, final Instant asOf)
        {
            for (int i = decisions.size() - 1; i >= 0; i--)
            {
                final Decision d = decisions.get(i);
                if (d.action() == Action.UNBLOCK)
                {
                    return new Status("unblocked", d.time());
                }
                if (d.action() == Action.BLOCK)
                {
                    return d.expires() == null || d.expires().isAfter(asOf)
                        ? new Status("blocked", d.expires()) : new Status("expired", d.expires());
                }
            }
            return new Status("alert", null);
        }

        /** The heading of the host's section: {@code BLOCKED until ...}, {@code UNBLOCKED at ...}, ... */
        public String headline()
        {
            switch (state)
            {
                case "blocked":
                    return at == null ? "BLOCKED (no expiry)" : "BLOCKED until " + at;
                case "expired":
                    return "BLOCK EXPIRED at " + at;
                case "unblocked":
                    return "UNBLOCKED at " + at;
                default:
                    return "ALERT (not blocked)";
            }
        }
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
        return build(decided, traffic, Map.of(), Map.of(), Instant.now());
    }

    /**
     * @param decided  decisions per host, from the decision stream
     * @param traffic  rate analyser detail for flagged hosts
     * @param smtp     SMTP dialogue summaries by host text (reply codes, HELO samples, blocklist text,
     *                 recipients), already redacted
     * @param facts    class and first/last seen of decided hosts the rate analyser holds no detail for
     * @param asOf     the time "now" for the hosts' status: wall time live, the capture's end in a replay
     */
    public static FlaggedHostReport build(
        final List<ReportCollector.HostDecisions> decided,
        final List<FlaggedHost> traffic,
        final Map<String, Map<String, Object>> smtp,
        final Map<String, HostFacts> facts,
        final Instant asOf)
    {
        final Map<String, FlaggedHost> byHost = new LinkedHashMap<>();
        for (final FlaggedHost h : traffic)
        {
            byHost.put(h.host(), h);
        }
        final List<Entry> entries = new ArrayList<>();
        for (final ReportCollector.HostDecisions d : decided)
        {
            final List<Decision> redacted = new ArrayList<>(d.decisions().size());
            for (final Decision decision : d.decisions())
            {
                redacted.add(Redaction.decision(decision));
            }
            entries.add(new Entry(d.host(), d.verdict().label(), redacted, d.omitted(), byHost.get(d.host()),
                smtp.get(d.host()), facts.get(d.host()), Status.of(d.decisions(), asOf)));
        }
        // hosts blocked now first, then those blocked before, then alerts
        entries.sort(Comparator.comparingInt(FlaggedHostReport::rank));
        return new FlaggedHostReport(asOf, entries);
    }

    private static int rank(final Entry e)
    {
        return "blocked".equals(e.status().state()) ? 0 : "block".equals(e.verdict()) ? 1 : 2;
    }

    public Instant generated()
    {
        return generated;
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
            m.put("status", e.status().state());
            m.put("status_at", text(e.status().at()));
            m.put("headline", e.status().headline());
            final FlaggedHost t = e.traffic();
            m.put("class", e.hostClass());
            m.put("first_seen", text(e.firstSeen()));
            m.put("last_seen", text(e.lastSeen()));
            m.put("first_flagged", text(e.firstFlagged()));
            final List<Object> decisions = new ArrayList<>();
            for (final Decision d : e.decisions())
            {
                decisions.add(DecisionJson.MAPPER.convertValue(DecisionJson.toNode(d), Map.class));
            }
            m.put("decisions", decisions);
            final List<Object> strikes = new ArrayList<>();
            for (final Decision d : e.decisions())
            {
                if (d.action() == Action.BLOCK)
                {
                    final Map<String, Object> sm = new LinkedHashMap<>();
                    sm.put("time", d.time().toString());
                    sm.put("strike", d.strikes());
                    sm.put("rule", d.rule());
                    sm.put("expires", text(d.expires()));
                    strikes.add(sm);
                }
            }
            m.put("strikes", strikes);
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
                    rm.put("reason", Redaction.text(r.reason()));
                    rules.add(rm);
                }
                m.put("rules_fired", rules);
                final List<Object> top = new ArrayList<>();
                for (final FlaggedHost.DestinationCount dc : t.topDestinations())
                {
                    final Map<String, Object> dm = pair("address", dc.address(), "attempts", dc.attempts());
                    dm.put("while_blocked", dc.whileBlocked());
                    top.add(dm);
                }
                m.put("top_destinations", top);
                final List<Object> perMinute = new ArrayList<>();
                final List<Object> failuresPerMinute = new ArrayList<>();
                for (final FlaggedHost.MinuteCount mc : t.attemptsPerMinute())
                {
                    perMinute.add(pair("minute", mc.minute().toString(), "attempts", mc.attempts()));
                    failuresPerMinute.add(pair("minute", mc.minute().toString(), "failures", mc.failures()));
                }
                m.put("attempts_per_minute", perMinute);
                m.put("failures_per_minute", failuresPerMinute);
                m.put("destinations_note", "attempts count from the first firing on; port-25 attempts"
                    + " while egress25 had the host blocked are apart (while_blocked), as its firewall refused them; upper"
                    + " bounds when the host tried more than 32 servers");
                m.put("attempts_by_port", t.attemptsByPort());
                m.put("attempts_since_flagged", t.attemptsSinceFlagged());
                m.put("failures_since_flagged", t.failuresSinceFlagged());
                m.put("attempts_while_blocked", t.attemptsWhileBlocked());
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
        sb.append(String.format(Locale.ROOT, "egress25 flagged-host report, %d host(s), as of %s%n", hosts.size(), generated));
        for (final Entry e : hosts)
        {
            sb.append(String.format(Locale.ROOT, "%n%s  %s%n", e.host(), e.status().headline()));
            sb.append(String.format(Locale.ROOT, "  class %s, seen %s .. %s, flagged %s%n", orDash(e.hostClass()),
                orDash(e.firstSeen()), orDash(e.lastSeen()), orDash(e.firstFlagged())));
            for (final Decision d : e.decisions())
            {
                sb.append(String.format(Locale.ROOT, "  %s %-7s %-26s %s%s%s%n", d.time(), d.action().label(), d.rule(),
                    d.reason(), d.expires() == null ? "" : " [until " + d.expires() + "]",
                    d.action() == Action.BLOCK ? " (strike " + d.strikes() + ")" : ""));
            }
            final FlaggedHost t = e.traffic();
            if (t != null)
            {
                if (!t.topDestinations().isEmpty())
                {
                    sb.append("  top destinations:");
                    for (final FlaggedHost.DestinationCount dc : t.topDestinations())
                    {
                        sb.append(' ').append(dc.address()).append(" (").append(dc.attempts())
                            .append(dc.whileBlocked() == 0 ? "" : ", " + dc.whileBlocked() + " while blocked").append(')');
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
                smtpText(sb, e.smtp());
            }
        }
        return sb.toString();
    }

    /** The SMTP summary as lines a person reads, not a map's toString. */
    private static void smtpText(final StringBuilder sb, final Map<String, Object> smtp)
    {
        sb.append(String.format(Locale.ROOT, "  smtp: %s session(s); rules %s%n", smtp.get("sessions"),
            smtp.get("rules") instanceof List<?> l && !l.isEmpty() ? String.join(", ", l.stream().map(String::valueOf).toList())
                : "none"));
        if (smtp.get("reply_codes") instanceof Map<?, ?> codes && !codes.isEmpty())
        {
            sb.append("    reply codes:");
            codes.forEach((code, count) -> sb.append(' ').append(code).append(" x").append(count));
            sb.append('\n');
        }
        if (smtp.get("helo_samples") instanceof List<?> helos && !helos.isEmpty())
        {
            sb.append("    HELO names: ").append(String.join(", ", helos.stream().map(String::valueOf).toList())).append('\n');
        }
        if (smtp.get("blocklist_reply") != null)
        {
            sb.append("    blocklist reply: ").append(smtp.get("blocklist_reply")).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "    recipients: %s sent, %s rejected, %s domain(s)%n", smtp.get("recipients"),
            smtp.get("recipients_rejected"), smtp.get("recipient_domains")));
    }

    private static String orDash(final Object value)
    {
        return value == null ? "-" : value.toString();
    }

    private static String text(final Instant instant)
    {
        return instant == null ? null : instant.toString();
    }

    /** One self-contained HTML page: a sortable, filterable host list and a section per host. */
    public String toHtml()
    {
        return HtmlReport.render(toMap());
    }

    /** Writes report.json, report.txt and report.html into {@code dir}, each atomically (temp file, then rename). */
    public void write(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("report.json"), toJson());
        writeAtomically(dir.resolve("report.txt"), toText());
        writeAtomically(dir.resolve("report.html"), toHtml());
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
