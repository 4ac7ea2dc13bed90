package org.egress25.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.egress25.decision.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;

/**
 * How a run's decisions compare with a capture's labels: for every labelled host, whether it was blocked,
 * alerted on, and by which rules. A host labelled {@code block} must have at least one block decision; a host
 * labelled {@code clean} must have none (alerts are allowed: they are for a person to look at).
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
    public record Outcome(Label label, boolean blocked, boolean alerted, List<String> rules)
    {
        public boolean agrees()
        {
            return blocked == label.expectedVerdict().equals("block");
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
            final List<Decision> mine = byHost.getOrDefault(label.host(), List.of());
            final TreeSet<String> rules = new TreeSet<>();
            boolean blocked = false;
            boolean alerted = false;
            for (final Decision decision : mine)
            {
                blocked |= decision.action() == Action.BLOCK;
                alerted |= decision.action() == Action.ALERT;
                if (decision.action() != Action.UNBLOCK)
                {
                    rules.add(decision.rule());
                }
            }
            outcomes.add(new Outcome(label, blocked, alerted, List.copyOf(rules)));
        }
        return new Scorecard(outcomes);
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

    /** Labelled {@code block} and blocked. */
    public long caught()
    {
        return hosts.stream().filter(o -> o.blocked() && o.agrees()).count();
    }

    /** Labelled {@code block} but never blocked. */
    public List<Outcome> missed()
    {
        return hosts.stream().filter(o -> !o.blocked() && !o.agrees()).toList();
    }

    /** Labelled {@code clean} but blocked. */
    public List<Outcome> wronglyBlocked()
    {
        return hosts.stream().filter(o -> o.blocked() && !o.agrees()).toList();
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
                o.label().kind(), o.label().expectedVerdict(), o.blocked() ? "block" : o.alerted() ? "alert" : "clean",
                String.join(",", o.rules())));
        }
        final long abusive = hosts.stream().filter(o -> o.label().expectedVerdict().equals("block")).count();
        sb.append(String.format("caught %d of %d abusive hosts; %d missed; %d of %d clean hosts wrongly blocked%n",
            caught(), abusive, missed().size(), wronglyBlocked().size(), hosts.size() - abusive));
        return sb.toString();
    }
}
