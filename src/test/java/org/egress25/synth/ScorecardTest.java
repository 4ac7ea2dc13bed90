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
import org.egress25.host.Action;
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
    void shouldCountAnAlertOnlyAuthBruteForcerAsCaughtEvenWithAnOldBlockLabel()
    {
        final Labels labels = new Labels(List.of(new Label("10.0.160.4", "auth-brute-forcer", "block", "old label"),
            new Label("10.0.160.5", "auth-brute-forcer", "alert", "n")));
        final Scorecard card = Scorecard.score(labels, List.of(
            decision("10.0.160.4", Action.ALERT, "smtp-auth-bruteforce")));

        assertThat(card.caught()).isEqualTo(1);
        assertThat(card.missed()).extracting(o -> o.label().host()).containsExactly("10.0.160.5");
        assertThat(card.table()).contains("ok  10.0.160.4").contains("XX  10.0.160.5");
    }

    @Test
    void shouldScoreARotatingHostByItsPrefixAndTimeItsBlockFromItsAbuse()
    {
        final Labels labels = new Labels(List.of(
            new Label("2001:db8:100:7::/64", "ipv6-rotating-bot", "block", "n", "2026-11-28T08:00:40Z"),
            new Label("10.0.112.4", "mass-sender", "block", "n", "2026-11-28T08:00:55Z"),
            new Label("172.16.0.9", "busy-business-mta", "clean", "n")));
        final Scorecard card = Scorecard.score(labels, List.of(
            decision("2001:db8:100:7:a1b2:c3d4:e5f6:1", Action.BLOCK, "smtp-blocklist-reply"),
            decision("2001:db8:100:8::1", Action.BLOCK, "smtp-blocklist-reply"),
            decision("10.0.112.4", Action.BLOCK, "port25-attempts-1m"),
            decision("172.16.0.9", Action.ALERT, "smtp-recipient-fanout")));

        assertThat(card.missed()).isEmpty();
        assertThat(card.hosts().get(0).timeToBlock()).hasSeconds(20);
        assertThat(card.hosts().get(1).timeToBlock()).hasSeconds(5);
        assertThat(card.byKind()).extracting(Scorecard.KindScore::kind, Scorecard.KindScore::blocked,
            Scorecard.KindScore::alerted).containsExactly(
                org.assertj.core.api.Assertions.tuple("ipv6-rotating-bot", 1, 0),
                org.assertj.core.api.Assertions.tuple("mass-sender", 1, 0),
                org.assertj.core.api.Assertions.tuple("busy-business-mta", 0, 1));
        assertThat(card.kindTable()).contains("ipv6-rotating-bot      block        1      1       1       0"
            + "       20.0 s       20.0 s");
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
