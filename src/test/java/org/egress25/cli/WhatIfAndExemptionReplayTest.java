package org.egress25.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.egress25.synth.HostKind;
import org.egress25.synth.Label;
import org.egress25.synth.Scenario;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy as data, judged on a replay: an exemption that expires in the middle of the capture stops applying
 * at that capture time, and {@code --compare-rules} names exactly the hosts a policy change treats differently.
 */
class WhatIfAndExemptionReplayTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant START = Instant.parse("2026-09-01T10:00:00Z");

    @TempDir
    static Path dir;

    static LabelledTraffic traffic;
    static String massSender;
    static String otherMassSender;

    @BeforeAll
    static void generate() throws Exception
    {
        traffic = LabelledTraffic.generate(Scenario.builder().seed(77).start(START).duration(Duration.ofMinutes(10))
            .noHosts().hosts(HostKind.MASS_SENDER, 2).hosts(HostKind.WEB_USER, 3).hosts(HostKind.SUBMISSION_USER, 2)
            .inside("10.50.0.0/16").backgroundPackets(5000).build(), dir);
        final List<Label> senders = traffic.labels.hosts().stream()
            .filter(l -> l.kind().equals(HostKind.MASS_SENDER.label())).toList();
        massSender = senders.get(0).host();
        otherMassSender = senders.get(1).host();
    }

    private static Path rules(final String name, final String extraExemptions) throws IOException
    {
        final Path rules = Files.createDirectories(dir.resolve(name));
        for (final String file : List.of("networks.yaml", "detectors.yaml", "enforcement.yaml", "exemptions.yaml"))
        {
            Files.copy(Path.of("rules", file), rules.resolve(file));
        }
        Files.writeString(rules.resolve("exemptions.yaml"),
            Files.readString(rules.resolve("exemptions.yaml")) + extraExemptions);
        return rules;
    }

    @Test
    void shouldStopExemptingAHostAtItsExpiryCaptureTime() throws Exception
    {
        final Instant expiry = traffic.firstSmtpPacket.get(massSender).plus(Duration.ofMinutes(3));
        final Path rules = rules("expiring", "  - source: " + massSender + "/32\n    expires: " + expiry
            + "\n    ticket: T-1\n    comment: exemption ending mid-capture\n");
        final Path run = Files.createDirectories(dir.resolve("expiring-run"));
        traffic.replay(run, "--rules", rules.toString(), "--quiet");
        assertThat(traffic.exitCode).as(traffic.stderr).isZero();

        final JsonNode block = traffic.firstBlock(massSender);
        assertThat(block).as("blocked once the exemption has expired").isNotNull();
        assertThat(Instant.parse(block.path("time").asText())).isAfterOrEqualTo(expiry)
            .isBefore(expiry.plus(Duration.ofMinutes(1)));
        assertThat(Instant.parse(traffic.firstBlock(otherMassSender).path("time").asText())).isBefore(expiry);
    }

    @Test
    void shouldListExactlyTheHostsACandidatePolicyTreatsDifferently() throws Exception
    {
        final Path current = rules("current", "");
        final Path candidate = rules("candidate", "  - source: " + otherMassSender + "/32\n    ticket: T-2\n"
            + "    comment: candidate exempts this host\n");
        final Path run = Files.createDirectories(dir.resolve("compare-run"));
        traffic.replay(run, "--rules", current.toString(), "--compare-rules", candidate.toString());
        assertThat(traffic.exitCode).as(traffic.stderr).isZero();
        assertThat(traffic.stderr).contains("1 host(s) differ").contains(otherMassSender);

        final JsonNode compare = JSON.readTree(run.resolve("report").resolve("compare.json").toFile());
        assertThat(compare.path("differences")).hasSize(1);
        final JsonNode difference = compare.path("differences").get(0);
        assertThat(difference.path("host").asText()).isEqualTo(otherMassSender);
        assertThat(difference.path("a").path("action").asText()).isEqualTo("block");
        assertThat(difference.path("b").path("action").asText()).isEqualTo("none");
        // the decisions log is the running policy's, untouched by the candidate
        assertThat(traffic.firstBlock(otherMassSender)).isNotNull();
        assertThat(traffic.firstBlock(massSender)).isNotNull();
    }

    /**
     * A plain replay orients segments on the reader thread; with {@code --compare-rules} the analysis thread
     * does it for each policy. Both must reach the same decisions.
     */
    @Test
    void shouldDecideTheSameWhetherTheReaderOrTheAnalysisThreadOrients() throws Exception
    {
        final Path current = rules("same-a", "");
        final Path plain = Files.createDirectories(dir.resolve("plain-run"));
        traffic.replay(plain, "--rules", current.toString(), "--quiet");
        final Path compared = Files.createDirectories(dir.resolve("compared-run"));
        traffic.replay(compared, "--rules", current.toString(), "--compare-rules", current.toString(), "--quiet");
        final List<String> a = Files.readAllLines(plain.resolve("decisions.jsonl"));
        assertThat(a).isNotEmpty();
        assertThat(Files.readAllLines(compared.resolve("decisions.jsonl"))).isEqualTo(a);
    }
}
