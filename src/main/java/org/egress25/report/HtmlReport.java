package org.egress25.report;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flagged-host report as one self-contained HTML page for the abuse desk: no external script, style,
 * font or image, so it opens from a ticket attachment or an air-gapped jump host exactly as it was written.
 * A host list at the top sorts by any column and filters by text and status (a few lines of inline script;
 * without script the list still reads, unsorted); below it a section per host with its status, a timeline of
 * port-25 attempts per minute with each decision marked on it (inline SVG), the evidence of every decision,
 * (a link ending in {@code #filter=TEXT} opens the list filtered, for a ticket that points at one host),
 * the strikes, the reply-code histogram, top destinations, HELO names and the (redacted) envelope counts.
 *
 * <p>Rendered from {@link FlaggedHostReport#toMap()}, the model {@code report.json} is written from, so the
 * page can never show what the JSON does not hold, and everything in it went through {@link Redaction}.
 */
final class HtmlReport
{
    private static final int CHART_WIDTH = 720;
    private static final int CHART_HEIGHT = 160;
    private static final int MARGIN = 30;

    private HtmlReport()
    {
    }

    static String render(final Map<String, Object> root)
    {
        final StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';")
            .append(" script-src 'unsafe-inline'; img-src data:\">")
            .append("<title>egress25 flagged-host report</title><style>").append(STYLE).append("</style></head><body>\n");
        final List<Map<String, Object>> hosts = maps(root.get("hosts"));
        h.append("<h1>egress25 flagged-host report</h1><p class=\"meta\">").append(hosts.size())
            .append(" flagged host(s), as of ").append(esc(root.get("generated")))
            .append(". Mailbox local-parts are redacted.</p>\n");
        hostList(h, hosts);
        for (final Map<String, Object> host : hosts)
        {
            hostSection(h, host);
        }
        h.append("<script>").append(SCRIPT).append("</script></body></html>\n");
        return h.toString();
    }

    private static void hostList(final StringBuilder h, final List<Map<String, Object>> hosts)
    {
        h.append("<section id=\"list\"><h2>Hosts</h2><p><label>Filter <input id=\"filter\" type=\"search\"")
            .append(" placeholder=\"address, class, rule\"></label> <label>Status <select id=\"status-filter\">")
            .append("<option value=\"\">any</option><option>blocked</option><option>expired</option>")
            .append("<option>unblocked</option><option>alert</option></select></label></p>\n")
            .append("<table id=\"hosts\"><thead><tr>");
        for (final String column : List.of("Host", "Status", "Class", "First flagged", "Attempts since flagged",
            "Decisions", "Strikes", "Rules"))
        {
            h.append("<th data-sort=\"").append(column.equals("Attempts since flagged") || column.equals("Decisions")
                || column.equals("Strikes") ? "number" : "text").append("\">").append(column).append("</th>");
        }
        h.append("</tr></thead><tbody>\n");
        for (final Map<String, Object> host : hosts)
        {
            final String address = String.valueOf(host.get("host"));
            final List<Map<String, Object>> decisions = maps(host.get("decisions"));
            final List<String> rules = new ArrayList<>();
            for (final Map<String, Object> d : decisions)
            {
                final String rule = String.valueOf(d.get("rule"));
                if (!rules.contains(rule))
                {
                    rules.add(rule);
                }
            }
            h.append("<tr class=\"host-row\" data-status=\"").append(esc(host.get("status"))).append("\"><td><a href=\"#")
                .append(anchor(address)).append("\">").append(esc(address)).append("</a></td><td class=\"status ")
                .append(esc(host.get("status"))).append("\">").append(esc(host.get("status"))).append("</td><td>")
                .append(esc(orDash(host.get("class")))).append("</td><td>").append(esc(orDash(host.get("first_flagged"))))
                .append("</td><td>").append(esc(orDash(host.get("attempts_since_flagged")))).append("</td><td>")
                .append(decisions.size()).append("</td><td>").append(maps(host.get("strikes")).size()).append("</td><td>")
                .append(esc(String.join(", ", rules))).append("</td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void hostSection(final StringBuilder h, final Map<String, Object> host)
    {
        final String address = String.valueOf(host.get("host"));
        h.append("<section class=\"host\" id=\"").append(anchor(address)).append("\" data-host=\"").append(esc(address))
            .append("\"><h2>").append(esc(address)).append(" <span class=\"status ").append(esc(host.get("status")))
            .append("\">").append(esc(host.get("headline"))).append("</span></h2>\n<dl>");
        definition(h, "Class", host.get("class"));
        definition(h, "First seen", host.get("first_seen"));
        definition(h, "Last seen", host.get("last_seen"));
        definition(h, "First flagged", host.get("first_flagged"));
        if (host.get("attempts_by_port") instanceof Map<?, ?> byPort && !byPort.isEmpty())
        {
            final StringBuilder ports = new StringBuilder();
            byPort.forEach((port, n) -> ports.append(ports.length() == 0 ? "" : ", ").append("port ")
                .append(port.equals(0) ? "other" : port).append(": ").append(n));
            definition(h, "Attempts since flagged", host.get("attempts_since_flagged") + " (" + ports + "), "
                + host.get("failures_since_flagged") + " failed, " + host.get("attempts_while_blocked")
                + " to port 25 while blocked by egress25");
        }
        h.append("</dl>\n<h3>Timeline</h3>\n");
        timeline(h, host);
        evidence(h, host);
        strikes(h, host);
        smtp(h, host);
        destinations(h, host);
        h.append("</section>\n");
    }

    /**
     * Attempts per minute as bars, with a line per decision (red block, green unblock, amber alert) at its
     * time. The x axis spans the traffic series and every decision, so a decision made before the series
     * starts (a manual block, an SMTP rule) is still on the chart.
     */
    private static void timeline(final StringBuilder h, final Map<String, Object> host)
    {
        final List<Map<String, Object>> minutes = maps(host.get("attempts_per_minute"));
        final List<Map<String, Object>> decisions = maps(host.get("decisions"));
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        long peak = 1;
        for (final Map<String, Object> m : minutes)
        {
            final long t = seconds(m.get("minute"));
            from = Math.min(from, t);
            to = Math.max(to, t + 60);
            peak = Math.max(peak, ((Number)m.get("attempts")).longValue());
        }
        for (final Map<String, Object> d : decisions)
        {
            final long t = seconds(d.get("time"));
            from = Math.min(from, t - 30);
            to = Math.max(to, t + 30);
        }
        if (from == Long.MAX_VALUE)
        {
            h.append("<p class=\"note\">No traffic or decisions to chart.</p>\n");
            return;
        }
        final double span = Math.max(60, to - from);
        final double plot = CHART_WIDTH - 2 * MARGIN;
        final double base = CHART_HEIGHT - MARGIN;
        h.append("<svg class=\"timeline\" role=\"img\" width=\"").append(CHART_WIDTH).append("\" height=\"")
            .append(CHART_HEIGHT).append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(CHART_HEIGHT)
            .append("\"><title>Port-25 attempts per minute and decisions for ").append(esc(host.get("host")))
            .append("</title>");
        h.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", MARGIN, base,
            CHART_WIDTH - MARGIN, base));
        h.append(String.format(Locale.ROOT, "<text x=\"2\" y=\"%d\" class=\"label\">%d/min</text>", MARGIN - 10, peak));
        final List<Map<String, Object>> failures = maps(host.get("failures_per_minute"));
        for (int i = 0; i < minutes.size(); i++)
        {
            final Map<String, Object> m = minutes.get(i);
            final long t = seconds(m.get("minute"));
            final long n = ((Number)m.get("attempts")).longValue();
            final long failed = i < failures.size() ? ((Number)failures.get(i).get("failures")).longValue() : 0;
            final double x = MARGIN + (t - from) / span * plot;
            final double w = Math.max(1, 60 / span * plot - 1);
            final double bar = n / (double)peak * (base - MARGIN);
            final double failedBar = failed / (double)peak * (base - MARGIN);
            h.append(String.format(Locale.ROOT, "<rect class=\"attempts\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                + "<title>%s: %d attempt(s), %d failed</title></rect>", x, base - bar, w, bar, esc(m.get("minute")), n, failed));
            if (failed > 0)
            {
                h.append(String.format(Locale.ROOT, "<rect class=\"failures\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
                    + " height=\"%.1f\"><title>%s: %d failed</title></rect>", x, base - failedBar, w, failedBar,
                    esc(m.get("minute")), failed));
            }
        }
        for (final Map<String, Object> d : decisions)
        {
            final double x = MARGIN + (seconds(d.get("time")) - from) / span * plot;
            h.append(String.format(Locale.ROOT, "<line class=\"decision %s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\">"
                    + "<title>%s %s (%s)</title></line>", esc(d.get("action")), x, MARGIN - 5, x, base, esc(d.get("time")),
                esc(d.get("action")), esc(d.get("rule"))));
            h.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%.1f\" y=\"%d\">%s</text>", x + 2, MARGIN - 8,
                esc(d.get("action"))));
        }
        h.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\">%s</text>", MARGIN, CHART_HEIGHT - 8,
            esc(Instant.ofEpochSecond(from))));
        h.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
            CHART_WIDTH - MARGIN, CHART_HEIGHT - 8, esc(Instant.ofEpochSecond(to))));
        h.append("</svg>\n");
        if (minutes.isEmpty())
        {
            h.append("<p class=\"note\">No per-minute traffic detail: no rate rule fired for this host (it was flagged")
                .append(" by SMTP rules, the sequential test or an operator); the chart shows its decisions only.</p>\n");
        }
        else
        {
            h.append("<p class=\"note\">Blue bars: SMTP connection attempts per minute, counted from the minute before")
                .append(" the first rate firing; dark red inside them: the failed ones (reset or never answered).")
                .append(" Lines: decisions (red block, green unblock, amber alert). SMTP rejections are in the reply-code")
                .append(" histogram below; they are not counted per minute.</p>\n");
        }
    }

    private static void evidence(final StringBuilder h, final Map<String, Object> host)
    {
        h.append("<h3>Decisions and their evidence</h3>\n<table class=\"evidence\"><thead><tr><th>Time</th><th>Action</th>")
            .append("<th>Rule</th><th>Source</th><th>Reason</th><th>Evidence</th></tr></thead><tbody>\n");
        for (final Map<String, Object> d : maps(host.get("decisions")))
        {
            h.append("<tr><td>").append(esc(d.get("time"))).append("</td><td class=\"").append(esc(d.get("action")))
                .append("\">").append(esc(d.get("action"))).append(d.get("expires") == null ? "" : " until " + esc(d.get("expires")))
                .append("</td><td>").append(esc(d.get("rule"))).append("</td><td>").append(esc(d.get("source")))
                .append("</td><td>").append(esc(d.get("reason"))).append("</td><td>");
            keyValues(h, d.get("evidence"));
            h.append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (host.get("decisions_omitted") != null)
        {
            h.append("<p class=\"note\">").append(esc(host.get("decisions_omitted")))
                .append(" later decision(s) not listed; the decisions log has them all.</p>\n");
        }
        final List<Map<String, Object>> rules = maps(host.get("rules_fired"));
        if (!rules.isEmpty())
        {
            h.append("<h3>Rate rules fired</h3>\n<table><thead><tr><th>Time</th><th>Rule</th><th>Observed</th>")
                .append("<th>Threshold</th><th>Wanted</th><th>Decided</th></tr></thead><tbody>\n");
            for (final Map<String, Object> r : rules)
            {
                h.append("<tr><td>").append(esc(r.get("time"))).append("</td><td>").append(esc(r.get("rule")))
                    .append("</td><td>").append(esc(figure(r.get("observed")))).append("</td><td>")
                    .append(esc(figure(r.get("threshold")))).append("</td><td>").append(esc(r.get("wanted")))
                    .append("</td><td>").append(esc(orDash(r.get("decided")))).append("</td></tr>\n");
            }
            h.append("</tbody></table>\n");
        }
    }

    private static void strikes(final StringBuilder h, final Map<String, Object> host)
    {
        final List<Map<String, Object>> strikes = maps(host.get("strikes"));
        h.append("<h3>Strikes</h3>\n");
        if (strikes.isEmpty())
        {
            h.append("<p class=\"note\">Never blocked.</p>\n");
            return;
        }
        h.append("<table class=\"strikes\"><thead><tr><th>Strike</th><th>Blocked at</th><th>Until</th><th>Rule</th></tr>")
            .append("</thead><tbody>\n");
        for (final Map<String, Object> s : strikes)
        {
            h.append("<tr><td>").append(esc(s.get("strike"))).append("</td><td>").append(esc(s.get("time")))
                .append("</td><td>").append(esc(orDash(s.get("expires")))).append("</td><td>").append(esc(s.get("rule")))
                .append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
    }

    private static void smtp(final StringBuilder h, final Map<String, Object> host)
    {
        if (!(host.get("smtp") instanceof Map<?, ?> raw))
        {
            h.append("<h3>SMTP dialogue</h3>\n<p class=\"note\">No SMTP dialogue summary for this host.</p>\n");
            return;
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> smtp = (Map<String, Object>)raw;
        h.append("<h3>SMTP dialogue</h3>\n<dl>");
        definition(h, "Sessions", smtp.get("sessions"));
        definition(h, "Rules", smtp.get("rules") instanceof List<?> l ? String.join(", ", l.stream().map(String::valueOf).toList())
            : null);
        definition(h, "Envelopes (redacted)", smtp.get("recipients") + " recipient(s), " + smtp.get("recipients_rejected")
            + " rejected, " + smtp.get("recipient_domains") + " distinct domain(s)");
        definition(h, "Blocklist reply", smtp.get("blocklist_reply"));
        h.append("</dl>\n");
        if (smtp.get("helo_samples") instanceof List<?> helos && !helos.isEmpty())
        {
            h.append("<h4>HELO names</h4><ul class=\"helo\">");
            for (final Object helo : helos)
            {
                h.append("<li><code>").append(esc(helo)).append("</code></li>");
            }
            h.append("</ul>\n");
        }
        if (smtp.get("reply_codes") instanceof Map<?, ?> codes && !codes.isEmpty())
        {
            long peak = 1;
            for (final Object n : codes.values())
            {
                peak = Math.max(peak, ((Number)n).longValue());
            }
            final int row = 18;
            h.append("<h4>Reply codes</h4><svg class=\"replies\" role=\"img\" width=\"420\" height=\"")
                .append(codes.size() * row + 4).append("\"><title>Final reply codes received</title>");
            int y = 2;
            for (final Map.Entry<?, ?> e : codes.entrySet())
            {
                final long n = ((Number)e.getValue()).longValue();
                final String cls = String.valueOf(e.getKey()).startsWith("2") ? "ok"
                    : String.valueOf(e.getKey()).startsWith("4") ? "temp" : "perm";
                h.append(String.format(Locale.ROOT, "<text class=\"label\" x=\"0\" y=\"%d\">%s</text><rect class=\"%s\" x=\"40\""
                    + " y=\"%d\" width=\"%.1f\" height=\"%d\"/><text class=\"label\" x=\"%.1f\" y=\"%d\">%d</text>", y + 12,
                    esc(e.getKey()), cls, y, n / (double)peak * 320, row - 4, 44 + n / (double)peak * 320, y + 12, n));
                y += row;
            }
            h.append("</svg>\n");
        }
    }

    private static void destinations(final StringBuilder h, final Map<String, Object> host)
    {
        final List<Map<String, Object>> top = maps(host.get("top_destinations"));
        if (top.isEmpty())
        {
            return;
        }
        h.append("<h3>Top destinations</h3>\n<table class=\"destinations\"><thead><tr><th>Server</th><th>Attempts</th>")
            .append("<th>Refused by the block</th></tr>")
            .append("</thead><tbody>\n");
        for (final Map<String, Object> d : top)
        {
            h.append("<tr><td>").append(esc(d.get("address"))).append("</td><td>").append(esc(d.get("attempts")))
                .append("</td><td>").append(esc(d.get("while_blocked"))).append("</td></tr>\n");
        }
        h.append("</tbody></table><p class=\"note\">").append(esc(host.get("destinations_note"))).append("</p>\n");
    }

    private static void definition(final StringBuilder h, final String term, final Object value)
    {
        h.append("<dt>").append(esc(term)).append("</dt><dd>").append(esc(orDash(value))).append("</dd>");
    }

    private static void keyValues(final StringBuilder h, final Object evidence)
    {
        if (!(evidence instanceof Map<?, ?> map) || map.isEmpty())
        {
            h.append('-');
            return;
        }
        h.append("<ul class=\"kv\">");
        map.forEach((k, v) -> h.append("<li><b>").append(esc(k)).append("</b> ").append(esc(v)).append("</li>"));
        h.append("</ul>");
    }

    /** Numbers as a person writes them: 57, 0.5, never 57.0. */
    private static String figure(final Object value)
    {
        if (value instanceof Number n)
        {
            final double d = n.doubleValue();
            return d == Math.rint(d) ? Long.toString((long)d) : String.format(Locale.ROOT, "%.2f", d);
        }
        return String.valueOf(orDash(value));
    }

    private static long seconds(final Object isoInstant)
    {
        try
        {
            return Instant.parse(String.valueOf(isoInstant)).getEpochSecond();
        }
        catch (final DateTimeParseException e)
        {
            return 0;
        }
    }

    /** An id safe in a URL fragment: IPv6 colons become dashes. */
    static String anchor(final String host)
    {
        return "host-" + host.replaceAll("[^A-Za-z0-9]", "-");
    }

    private static Object orDash(final Object value)
    {
        return value == null ? "-" : value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(final Object list)
    {
        final List<Map<String, Object>> out = new ArrayList<>();
        if (list instanceof List<?> l)
        {
            for (final Object o : l)
            {
                if (o instanceof Map<?, ?> m)
                {
                    out.add((Map<String, Object>)m);
                }
            }
        }
        return out;
    }

    static String esc(final Object value)
    {
        final String s = String.valueOf(value);
        final StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String STYLE = String.join("\n",
        "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}",
        "h1{font-size:1.5em}h2{font-size:1.2em;border-top:1px solid #ccc;padding-top:.8em}h3{font-size:1em;margin-bottom:.3em}",
        "table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}",
        "th[data-sort]{cursor:pointer;background:#f3f3f3}th[data-sort]:after{content:' \\2195';color:#999}",
        "dl{display:grid;grid-template-columns:max-content auto;gap:0 1em}dt{font-weight:600}dd{margin:0}",
        ".status.blocked,.block{color:#b00020;font-weight:600}.status.unblocked,.unblock{color:#1b7e2a}",
        ".status.expired{color:#666}.status.alert,.alert{color:#b36b00}",
        ".note,.meta{color:#666;font-size:.9em}ul.kv{margin:0;padding-left:1em}",
        "svg .attempts{fill:#4a78c2}svg .failures{fill:#8b1a1a}svg .axis{stroke:#888}svg .label{font-size:10px;fill:#444}",
        "svg line.decision{stroke-width:2}svg line.block{stroke:#d00}svg line.unblock{stroke:#1b7e2a}svg line.alert{stroke:#e69500}",
        "svg .ok{fill:#5a9}svg .temp{fill:#e69500}svg .perm{fill:#d33}");

    private static final String SCRIPT = String.join("\n",
        "(function(){",
        "var table=document.getElementById('hosts');if(!table)return;var body=table.tBodies[0];",
        "var filter=document.getElementById('filter'),status=document.getElementById('status-filter');",
        "function apply(){var q=filter.value.toLowerCase(),s=status.value;",
        " Array.prototype.forEach.call(body.rows,function(r){",
        "  var show=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!s||r.dataset.status===s);",
        "  r.style.display=show?'':'none';});}",
        "filter.addEventListener('input',apply);status.addEventListener('change',apply);",
        "var m=/^#filter=(.*)$/.exec(location.hash);if(m){filter.value=decodeURIComponent(m[1]);apply();}",
        "Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){",
        " th.addEventListener('click',function(){",
        "  var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';var num=th.dataset.sort==='number';",
        "  var rows=Array.prototype.slice.call(body.rows);",
        "  rows.sort(function(a,b){var x=a.cells[i].textContent,y=b.cells[i].textContent;",
        "   return dir*(num?(parseFloat(x)||0)-(parseFloat(y)||0):x.localeCompare(y,undefined,{numeric:true}));});",
        "  rows.forEach(function(r){body.appendChild(r);});});});",
        "})();");
}
