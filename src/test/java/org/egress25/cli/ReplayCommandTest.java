package org.egress25.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.egress25.synth.HostKind;
import org.egress25.synth.Label;
import org.egress25.synth.Scenario;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code egress25 replay} end to end on generated traffic whose answer is known. */
class ReplayCommandTest
{
    @TempDir
    static Path dir;

    static LabelledTraffic traffic;

    @BeforeAll
    static void generateAndReplay() throws Exception
    {
        final Scenario scenario = tenMinutes()
            .hosts(HostKind.MASS_SENDER, 3)
            .hosts(HostKind.PORT25_SCANNER, 1)
            .hosts(HostKind.WEB_USER, 5)
            .hosts(HostKind.SUBMISSION_USER, 4)
            .hosts(HostKind.IMPLICIT_TLS_USER, 2)
            .hosts(HostKind.NAT_OFFICE, 1)
            .hosts(HostKind.SMALL_MTA, 1)
            .inside("10.20.0.0/16")
            .backgroundPackets(20_000)
            .build();
        traffic = LabelledTraffic.generate(scenario, dir);
        traffic.replay(dir, "--inside", "10.20.0.0/16", "--quiet");
    }

    /** Ten minutes from a fixed start and seed, no hosts yet: the same run gives the same packets. */
    private static Scenario.Builder tenMinutes()
    {
        return Scenario.builder().seed(25).start(Instant.parse("2026-03-02T09:00:00Z")).duration(Duration.ofMinutes(10))
            .noHosts();
    }

    @Test
    void shouldExitZero()
    {
        assertThat(traffic.exitCode).as(traffic.stderr).isZero();
    }

    @Test
    void shouldBlockEveryMassSenderAndScannerWithinAMinuteOfItsFirstAttempt()
    {
        final List<Label> fast = new ArrayList<>();
        for (final Label label : traffic.labels.hosts())
        {
            if (label.kind().equals(HostKind.MASS_SENDER.label()) || label.kind().equals(HostKind.PORT25_SCANNER.label()))
            {
                fast.add(label);
            }
        }
        assertThat(fast).hasSize(4);
        for (final Label label : fast)
        {
            final JsonNode block = traffic.firstBlock(label.host());
            assertThat(block).as("block for %s (%s)", label.host(), label.note()).isNotNull();
            assertThat(traffic.secondsToBlock(label.host())).as(label.host()).isBetween(0.0, 60.0);
            // the rate rules usually decide; a blocklist reply or the sequential test may get there first
            assertThat(block.path("rule").asText()).matches("port25-.*|smtp-.*|sprt");
            assertThat(block.path("expires").asText()).isNotEmpty();
            assertThat(block.path("evidence").path("block_seconds").asLong()).isEqualTo(600);
        }
    }

    @Test
    void shouldNotBlockAnyCleanHost()
    {
        for (final Label label : traffic.labels.hosts())
        {
            if (label.expectedVerdict().equals("clean"))
            {
                assertThat(traffic.firstBlock(label.host())).as("%s %s (%s)", label.kind(), label.host(), label.note())
                    .isNull();
            }
        }
    }

    @Test
    void shouldEmitOneBlockPerHostNotOnePerPacket()
    {
        for (final Label label : traffic.labels.abusive())
        {
            final long blocks = traffic.decisionsByHost.getOrDefault(label.host(), List.of()).stream()
                .filter(d -> d.path("action").asText().equals("block")).count();
            assertThat(blocks).as(label.host()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void shouldWriteTheFlaggedHostReportWithTopDestinations() throws Exception
    {
        final String json = Files.readString(dir.resolve("report").resolve("report.json"));
        final String text = Files.readString(dir.resolve("report").resolve("report.txt"));
        final Label massSender = traffic.labels.hosts().stream()
            .filter(l -> l.kind().equals(HostKind.MASS_SENDER.label())).findFirst().orElseThrow();
        assertThat(json).contains("\"host\" : \"" + massSender.host() + "\"").contains("top_destinations")
            .contains("attempts_per_minute");
        assertThat(text).contains(massSender.host() + "  BLOCK");
        // Keys in the documented order on every run, so two reports of one capture diff cleanly.
        assertThat(json).containsPattern("\\{\\s*\"address\" : \"[^\"]+\",\\s*\"attempts\" : \\d+,\\s*\"while_blocked\" : \\d+\\s*}")
            .containsPattern("\\{\\s*\"minute\" : \"[^\"]+\",\\s*\"attempts\" : \\d+\\s*}")
            .doesNotContainPattern("\\{\\s*\"attempts\" : \\d+,");
    }

    @Test
    void shouldStillBlockMassSendersOnRateAloneWhenDialoguesAreNotRead() throws Exception
    {
        final Path rateOnly = Files.createDirectories(dir.resolve("rate-only"));
        final LabelledTraffic second = LabelledTraffic.generate(tenMinutes()
            .hosts(HostKind.MASS_SENDER, 3).hosts(HostKind.PORT25_SCANNER, 1).hosts(HostKind.SMALL_MTA, 1)
            .inside("10.20.0.0/16").backgroundPackets(5_000).build(), rateOnly);
        second.replay(rateOnly, "--inside", "10.20.0.0/16", "--quiet", "--no-dialogue");
        assertThat(second.exitCode).as(second.stderr).isZero();
        for (final Label label : second.labels.abusive())
        {
            assertThat(second.firstBlock(label.host())).as(label.host()).isNotNull();
        }
        assertThat(second.decisionsByHost.values().stream().flatMap(List::stream).map(d -> d.path("rule").asText()))
            .isNotEmpty().noneMatch(rule -> rule.startsWith("smtp-"));

        second.replay(rateOnly, "--inside", "10.20.0.0/16", "--no-dialogue", "--sessions",
            rateOnly.resolve("sessions.jsonl").toString());
        assertThat(second.exitCode).isEqualTo(2);
        assertThat(second.stderr).contains("--sessions").contains("--no-dialogue");
    }

    @Test
    void shouldGiveTheSameDecisionsOnASecondReplay() throws Exception
    {
        final Path again = Files.createDirectories(dir.resolve("again"));
        final LabelledTraffic second = LabelledTraffic.generate(tenMinutes()
            .hosts(HostKind.MASS_SENDER, 3).hosts(HostKind.PORT25_SCANNER, 1).hosts(HostKind.WEB_USER, 5)
            .hosts(HostKind.SUBMISSION_USER, 4).hosts(HostKind.IMPLICIT_TLS_USER, 2).hosts(HostKind.NAT_OFFICE, 1)
            .hosts(HostKind.SMALL_MTA, 1).inside("10.20.0.0/16").backgroundPackets(20_000).build(), again);
        second.replay(again, "--inside", "10.20.0.0/16", "--quiet");
        assertThat(Files.readAllLines(again.resolve("decisions.jsonl")))
            .isEqualTo(Files.readAllLines(dir.resolve("decisions.jsonl")));
    }

    /**
     * A 64-slot ring makes the reader wait for the analysis thread every few dozen frames, so batches end, and
     * commands and ticks run, at other frames than with the default 16,384 slots: decisions depend on capture
     * time only, never on how the threads happened to interleave.
     */
    @Test
    void shouldGiveTheSameDecisionsWhateverTheRingSizeAndSoTheBatching() throws Exception
    {
        final Path decisions = Files.createDirectories(dir.resolve("small-ring")).resolve("decisions.jsonl");
        final int exitCode = Main.commandLine().execute("replay", traffic.pcap.toString(), "--decisions",
            decisions.toString(), "--inside", "10.20.0.0/16", "--quiet", "--ring-size", "64");
        assertThat(exitCode).isZero();
        assertThat(Files.readAllLines(decisions))
            .isNotEmpty()
            .isEqualTo(Files.readAllLines(dir.resolve("decisions.jsonl")));
    }
}
