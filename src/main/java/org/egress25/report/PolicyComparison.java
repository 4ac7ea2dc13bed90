package org.egress25.report;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.egress25.host.Action;
import org.egress25.decision.Decision;

/**
 * What a policy change would do, judged on real traffic before it ships: the same capture replayed once
 * through the running rules (A) and the candidate rules (B), and every host whose verdict differs — blocked
 * under one and not the other, or blocked under both at different times or by different rules, or (blocked
 * under neither) alerted under one only or first by another rule: an alert is what the abuse desk reads.
 */
public final class PolicyComparison
{
    /** One host's verdict under one policy: its first block (time, rule) or its strongest action. */
    public record Verdict(String action, Instant firstBlock, String rule)
    {
        static final Verdict NONE = new Verdict("none", null, null);

        String describe()
        {
            return firstBlock != null ? "block at " + firstBlock + " by " + rule : action.equals("alert") ? "alert (" + rule + ")" : "none";
        }
    }

    /** A host judged differently; {@code delaySeconds} is B's first block minus A's, when both blocked. */
    public record Difference(String host, Verdict a, Verdict b, Double delaySeconds)
    {
    }

    private final List<Difference> differences;
    private final int hostsA;
    private final int hostsB;
    private final int alertedA;
    private final int alertedB;

    private PolicyComparison(
        final List<Difference> differences, final Map<String, Verdict> a, final Map<String, Verdict> b)
    {
        this.differences = differences;
        this.hostsA = count(a, "block");
        this.hostsB = count(b, "block");
        this.alertedA = count(a, "alert");
        this.alertedB = count(b, "alert");
    }

    public static PolicyComparison compare(final List<Decision> a, final List<Decision> b)
    {
        final Map<String, Verdict> va = verdicts(a);
        final Map<String, Verdict> vb = verdicts(b);
        final TreeMap<String, Boolean> hosts = new TreeMap<>();
        va.keySet().forEach(h -> hosts.put(h, true));
        vb.keySet().forEach(h -> hosts.put(h, true));
        final List<Difference> diffs = new ArrayList<>();
        for (final String host : hosts.keySet())
        {
            final Verdict x = va.getOrDefault(host, Verdict.NONE);
            final Verdict y = vb.getOrDefault(host, Verdict.NONE);
            final boolean blockedA = x.firstBlock() != null;
            final boolean blockedB = y.firstBlock() != null;
            if (blockedA != blockedB)
            {
                diffs.add(new Difference(host, x, y, null));
            }
            else if (blockedA && (!x.firstBlock().equals(y.firstBlock()) || !x.rule().equals(y.rule())))
            {
                diffs.add(new Difference(host, x, y,
                    Duration.between(x.firstBlock(), y.firstBlock()).toMillis() / 1000.0));
            }
            else if (!blockedA && !x.equals(y))
            {
                diffs.add(new Difference(host, x, y, null));
            }
        }
        return new PolicyComparison(diffs, va, vb);
    }

    private static int count(final Map<String, Verdict> verdicts, final String action)
    {
        return (int)verdicts.values().stream().filter(v -> v.action().equals(action)).count();
    }

    private static Map<String, Verdict> verdicts(final List<Decision> decisions)
    {
        final Map<String, Verdict> out = new LinkedHashMap<>();
        for (final Decision d : decisions)
        {
            final Verdict current = out.get(d.host());
            if (d.action() == Action.BLOCK && (current == null || current.firstBlock() == null))
            {
                out.put(d.host(), new Verdict("block", d.time(), d.rule()));
            }
            else if (d.action() == Action.ALERT && current == null)
            {
                out.put(d.host(), new Verdict("alert", null, d.rule()));
            }
        }
        return out;
    }

    public List<Difference> differences()
    {
        return differences;
    }

    public String toText(final String nameA, final String nameB)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "policy comparison: A = %s blocks %d host(s) and alerts on %d, B = %s "
            + "blocks %d and alerts on %d; %d host(s) differ%n", nameA, hostsA, alertedA, nameB, hostsB, alertedB,
            differences.size()));
        for (final Difference d : differences)
        {
            sb.append(String.format(Locale.ROOT, "  %-39s A: %s%n  %-39s B: %s%s%n", d.host(), d.a().describe(), "",
                d.b().describe(), d.delaySeconds() == null ? ""
                    : String.format(Locale.ROOT, " (%+.1f s)", d.delaySeconds())));
        }
        return sb.toString();
    }

    public Map<String, Object> toMap(final String nameA, final String nameB)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", nameA);
        m.put("b", nameB);
        m.put("blocked_a", hostsA);
        m.put("blocked_b", hostsB);
        m.put("alerted_a", alertedA);
        m.put("alerted_b", alertedB);
        final List<Object> rows = new ArrayList<>();
        for (final Difference d : differences)
        {
            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("host", d.host());
            r.put("a", verdictMap(d.a()));
            r.put("b", verdictMap(d.b()));
            r.put("block_delay_seconds", d.delaySeconds());
            rows.add(r);
        }
        m.put("differences", rows);
        return m;
    }

    private static Map<String, Object> verdictMap(final Verdict v)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", v.action());
        m.put("first_block", v.firstBlock() == null ? null : v.firstBlock().toString());
        m.put("rule", v.rule());
        return m;
    }
}
