package org.egress25.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.egress25.decision.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;
import org.egress25.decision.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScorecardTest
{
    private static final Instant T = Instant.parse("2026-11-28T08:01:00Z");
    private static final Labels LABELS = new Labels(List.of(
        new Label("10.0.112.4", "mass-sender", "block", "n"),
        new Label("10.0.144.4", "directory-harvester", "block", "n"),
        new Label("10.0.16.4", "web-user", "clean", "n"),
        new Label("10.0.96.4", "business-mta", "clean", "n"),
        new Label("10.0.208.9", "background", "clean", "n")));

    @TempDir
    Path dir;

    private static Decision decision(final String host, final Action action, final String rule)
    {
        return new Decision(T, host, action, rule, "r", action == Action.BLOCK ? T.plusSeconds(600) : null,
            Map.of(), Source.DETECTOR, 1);
    }

    @Test
    void shouldCountCaughtMissedAndWronglyBlockedHostsWhileAllowingAlertsOnCleanOnes()
    {
        final Scorecard card = Scorecard.score(LABELS, List.of(
            decision("10.0.112.4", Action.BLOCK, "port25-fanout-5m"),
            decision("10.0.112.4", Action.BLOCK, "port25-attempts-1m"),
            decision("10.0.96.4", Action.BLOCK, "port25-fanout-5m"),
            decision("10.0.16.4", Action.ALERT, "submission-attempts-1m"),
            decision("192.0.2.1", Action.BLOCK, "port25-fanout-5m")));

        assertThat(card.caught()).isEqualTo(1);
        assertThat(card.missed()).extracting(o -> o.label().kind()).containsExactly("directory-harvester");
        assertThat(card.wronglyBlocked()).extracting(o -> o.label().kind()).containsExactly("business-mta");
        assertThat(card.allAgree()).isFalse();
        assertThat(card.hosts().get(0).rules()).containsExactly("port25-attempts-1m", "port25-fanout-5m");
        assertThat(card.hosts().get(2).agrees()).as("an alert on a clean host is not a wrong block").isTrue();
        assertThat(card.table())
            .contains("XX  10.0.144.4", "ok  10.0.16.4", "alert")
            .doesNotContain("10.0.208.9")
            .endsWith("caught 1 of 2 abusive hosts; 1 missed; 1 of 3 clean hosts wrongly blocked\n");
    }

    @Test
    void shouldExitZeroFromTheCommandOnlyWhenEveryHostGotItsVerdict() throws Exception
    {
        LABELS.write(dir.resolve("labels.json"));
        final Path good = dir.resolve("good.jsonl");
        Files.writeString(good, DecisionJson.toJson(decision("10.0.112.4", Action.BLOCK, "a")) + "\n"
            + DecisionJson.toJson(decision("10.0.144.4", Action.BLOCK, "b")) + "\n");
        final Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, DecisionJson.toJson(decision("10.0.16.4", Action.BLOCK, "a")) + "\n");

        final String pcap = dir.resolve("x.pcap").toString();
        final StringWriter out = new StringWriter();
        assertThat(new CommandLine(new SynthCommand()).setOut(new PrintWriter(out))
            .execute(pcap, "--score", good.toString())).isZero();
        assertThat(out.toString()).contains("caught 2 of 2 abusive hosts; 0 missed");
        assertThat(new CommandLine(new SynthCommand()).setOut(new PrintWriter(new StringWriter()))
            .execute(pcap, "--score", bad.toString())).isEqualTo(1);
    }

    @Test
    void shouldNameFileAndLineOfABrokenDecision() throws Exception
    {
        LABELS.write(dir.resolve("labels.json"));
        final Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, DecisionJson.toJson(decision("10.0.112.4", Action.BLOCK, "a")) + "\n{\"host\":\n");

        assertThatThrownBy(() -> Scorecard.score(dir.resolve("labels.json"), broken))
            .hasMessageStartingWith(broken + ":2:1: ");
    }
}
