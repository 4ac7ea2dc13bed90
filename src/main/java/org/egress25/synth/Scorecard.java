package org.egress25.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;

/**
 * How a run's decisions compare with a capture's labels: for every labelled host, whether it was blocked,
 * alerted on, by which rules, and how long after its abuse began the first block came. A host labelled
 * {@code block} must have at least one block decision; a host labelled {@code alert} (abuse on submission
 * ports, never blocked on port alone) at least one alert; a host labelled {@code clean} no block (alerts are
 * allowed, and counted: they are for a person to look at). A label naming a prefix (an IPv6 host rotating
 * within its /64) covers every decision about an address inside it.
 *
 * <p>Used as {@code egress25 synth CAPTURE.pcap --score DECISIONS.jsonl} after
 * {@code egress25 replay CAPTURE.pcap --decisions DECISIONS.jsonl}.
 */
public record Scorecard(List<Outcome> hosts)
{
    /**
     * One labelled host and what the run decided about it.
     *
     * @param rules the rules that fired for it, blocks and alerts, sorted
     */
    public record Outcome(Label label, boolean blocked, boolean alerted, List<String> rules, Duration timeToBlock)
    {
        /**
         * The verdict expected: the kind's own where the kind is known, so label files written before a kind's
         * verdict was corrected (the AUTH brute forcer was once labelled block) score right; else the label's.
         */
        public String expected()
        {
            for (final HostKind kind : HostKind.values())
            {
                if (kind.label().equals(label.kind()))
                {
                    return kind.expectedVerdict();
                }
            }
            return label.expectedVerdict();
        }

        public boolean agrees()
        {
            switch (expected())
            {
                case "block":
                    return blocked;
                case "alert":
                    return alerted && !blocked;
                default:
                    return !blocked;
            }
        }

        /** Abusive and judged as it should be (blocked, or alerted for an alert-only kind). */
        public boolean caught()
        {
            return !expected().equals("clean") && agrees();
        }
    }

    public Scorecard
    {
        hosts = List.copyOf(hosts);
    }

    public static Scorecard score(final Labels labels, final List<Decision> decisions)
    {
        final Map<String, List<Decision>> byHost = new LinkedHashMap<>();
        for (final Decision decision : decisions)
        {
            byHost.computeIfAbsent(decision.host(), host -> new ArrayList<>()).add(decision);
        }
        final List<Outcome> outcomes = new ArrayList<>();
        for (final Label label : labels.hosts())
        {
            final TreeSet<String> rules = new TreeSet<>();
            boolean blocked = false;
            boolean alerted = false;
            Instant firstBlock = null;
            for (final Decision decision : mine(label, byHost))
            {
                blocked |= decision.action() == Action.BLOCK;
                alerted |= decision.action() == Action.ALERT;
                if (decision.action() == Action.BLOCK && (firstBlock == null || decision.time().isBefore(firstBlock)))
                {
                    firstBlock = decision.time();
                }
                if (decision.action() != Action.UNBLOCK)
                {
                    rules.add(decision.rule());
                }
            }
            final Duration toBlock = firstBlock == null || label.abuseFrom() == null ? null
                : Duration.between(Instant.parse(label.abuseFrom()), firstBlock);
            outcomes.add(new Outcome(label, blocked, alerted, List.copyOf(rules), toBlock));
        }
        return new Scorecard(outcomes);
    }

    /**
     * The decisions about a labelled host: by address plus the blocks of prefixes holding it, or every address and
     * prefix decision (a /64 judged as a whole) inside a labelled prefix.
     */
    private static List<Decision> mine(final Label label, final Map<String, List<Decision>> byHost)
    {
        if (!label.host().contains("/"))
        {
            // the host's own decisions, and the blocks of any prefix holding it: a /64 block shuts its port 25 too
            final long[] address = Addresses.parse(label.host());
            final List<Decision> out = new ArrayList<>(byHost.getOrDefault(label.host(), List.of()));
            for (final Map.Entry<String, List<Decision>> entry : byHost.entrySet())
            {
                if (entry.getKey().contains("/") && Cidr.parse(entry.getKey()).contains(address[0], address[1]))
                {
                    for (final Decision decision : entry.getValue())
                    {
                        if (decision.action() == Action.BLOCK)
                        {
                            out.add(decision);
                        }
                    }
                }
            }
            return out;
        }
        final Cidr prefix = Cidr.parse(label.host());
        final List<Decision> out = new ArrayList<>();
        for (final Map.Entry<String, List<Decision>> entry : byHost.entrySet())
        {
            final String host = entry.getKey();
            final Cidr decided = host.contains("/") ? Cidr.parse(host) : null;
            final long[] address = decided != null ? new long[] {decided.hi(), decided.lo()} : Addresses.parse(host);
            if ((decided == null || decided.bits() >= prefix.bits()) && prefix.contains(address[0], address[1]))
            {
                out.addAll(entry.getValue());
            }
        }
        return out;
    }

    /**
     * Scores a decisions log (JSON Lines as {@code --decisions} writes them) against a labels file.
     *
     * @throws IllegalArgumentException naming file and line of a line that is not a decision
     */
    public static Scorecard score(final Path labelsJson, final Path decisionsJsonl) throws IOException
    {
        final List<Decision> decisions = new ArrayList<>();
        final List<String> lines = Files.readAllLines(decisionsJsonl, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).isBlank())
            {
                continue;
            }
            try
            {
                decisions.add(DecisionJson.fromJson(lines.get(i)));
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalArgumentException(decisionsJsonl + ":" + (i + 1) + ":1: " + e.getMessage(), e);
            }
        }
        return score(Labels.read(labelsJson), decisions);
    }

    /** Abusive hosts judged as they should be: blocked, or alerted for an alert-only kind. */
    public long caught()
    {
        return hosts.stream().filter(Outcome::caught).count();
    }

    /** Abusive hosts not judged as they should be: never blocked (or, for an alert-only kind, never alerted). */
    public List<Outcome> missed()
    {
        return hosts.stream().filter(o -> !o.expected().equals("clean") && !o.agrees()).toList();
    }

    /** Labelled {@code clean} but blocked. */
    public List<Outcome> wronglyBlocked()
    {
        return hosts.stream().filter(o -> o.expected().equals("clean") && o.blocked()).toList();
    }

    public boolean allAgree()
    {
        return hosts.stream().allMatch(Outcome::agrees);
    }

    /**
     * A table for a person: one line per host that is not background (background hosts appear only when
     * something was decided about them), then the totals.
     */
    public String table()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-3s %-40s %-20s %-8s %-8s %s%n", "", "host", "kind", "expected", "got", "rules"));
        for (final Outcome o : hosts)
        {
            if (o.label().kind().equals(HostKind.BACKGROUND.label()) && o.rules().isEmpty())
            {
                continue;
            }
            sb.append(String.format("%-3s %-40s %-20s %-8s %-8s %s%n", o.agrees() ? "ok" : "XX", o.label().host(),
                o.label().kind(), o.expected(), o.blocked() ? "block" : o.alerted() ? "alert" : "clean",
                String.join(",", o.rules())));
        }
        final long abusive = hosts.stream().filter(o -> !o.expected().equals("clean")).count();
        sb.append(String.format("caught %d of %d abusive hosts; %d missed; %d of %d clean hosts wrongly blocked%n",
            caught(), abusive, missed().size(), wronglyBlocked().size(), hosts.size() - abusive));
        return sb.toString();
    }

    /** Per kind: how many hosts, caught, blocked, alerted, and time to block (median and worst) for abusers. */
    public record KindScore(String kind, String expected, int hosts, int caught, int blocked, int alerted,
        Duration medianToBlock, Duration worstToBlock)
    {
    }

    /** One {@link KindScore} per kind, in label order; background hosts only when something was decided. */
    public List<KindScore> byKind()
    {
        final Map<String, List<Outcome>> kinds = new LinkedHashMap<>();
        for (final Outcome o : hosts)
        {
            if (!o.label().kind().equals(HostKind.BACKGROUND.label()) || !o.rules().isEmpty())
            {
                kinds.computeIfAbsent(o.label().kind(), k -> new ArrayList<>()).add(o);
            }
        }
        final List<KindScore> out = new ArrayList<>();
        for (final Map.Entry<String, List<Outcome>> entry : kinds.entrySet())
        {
            final List<Outcome> all = entry.getValue();
            final List<Duration> times = all.stream().map(Outcome::timeToBlock).filter(t -> t != null).sorted().toList();
            out.add(new KindScore(entry.getKey(), all.get(0).expected(), all.size(),
                (int)all.stream().filter(Outcome::caught).count(), (int)all.stream().filter(Outcome::blocked).count(),
                (int)all.stream().filter(Outcome::alerted).count(), times.isEmpty() ? null : times.get(times.size() / 2),
                times.isEmpty() ? null : times.get(times.size() - 1)));
        }
        return out;
    }

    /**
     * The scorecard per kind, for a person: for abusive kinds how many were caught, blocked, alerted on and
     * how soon they were blocked (capture time from the start of their abuse); for clean kinds how many were
     * blocked (must be 0) and alerted on (false alerts, counted).
     */
    public String kindTable()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-22s %-8s %5s %6s %7s %7s %12s %12s%n", "kind", "expected", "hosts", "caught",
            "blocked", "alerted", "median-block", "worst-block"));
        for (final KindScore k : byKind())
        {
            final boolean clean = k.expected().equals("clean");
            sb.append(String.format("%-22s %-8s %5d %6s %7d %7d %12s %12s%n", k.kind(), k.expected(), k.hosts(),
                clean ? "-" : Integer.toString(k.caught()), k.blocked(), k.alerted(), seconds(k.medianToBlock()),
                seconds(k.worstToBlock())));
        }
        return sb.toString();
    }

    private static String seconds(final Duration d)
    {
        return d == null ? "-" : String.format("%.1f s", d.toMillis() / 1000.0);
    }
}
