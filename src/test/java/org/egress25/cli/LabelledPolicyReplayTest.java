package org.egress25.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.egress25.host.Addresses;
import org.egress25.synth.HostKind;
import org.egress25.synth.Label;
import org.egress25.synth.Scenario;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped policy on labelled traffic with every kind of abuser and every kind of clean host, none of them
 * exempted: every abuser is stopped, no clean host is blocked (the busy business MTA's volume only alerts),
 * and the time to block is reported per kind.
 */
class LabelledPolicyReplayTest
{
    @TempDir
    static Path dir;

    static LabelledTraffic traffic;

    @BeforeAll
    static void replayEveryKind() throws Exception
    {
        final Scenario.Builder scenario = Scenario.builder()
            .seed(4242)
            .start(Instant.parse("2026-06-01T18:00:00Z"))
            .duration(Duration.ofMinutes(15))
            .noHosts()
            .inside("10.40.0.0/16")
            .inside("2001:db8:140::/48")
            .backgroundPackets(30_000);
        for (final HostKind kind : HostKind.values())
        {
            if (kind.ordinal() < HostKind.BACKGROUND.ordinal())
            {
                scenario.hosts(kind, kind == HostKind.BUSINESS_MTA || kind == HostKind.NAT_OFFICE ? 1 : 2);
            }
        }
        traffic = LabelledTraffic.generate(scenario.build(), dir);
        final Path rules = operatorRules(dir.resolve("rules"), traffic.labels.hosts());
        traffic.replay(dir, "--rules", rules.toString(), "--quiet");
    }

    /**
     * The shipped rules, plus the IPv6 customers' prefix. No exemption for the busy business MTA: its volume
     * alone must not block it.
     */
    private static Path operatorRules(final Path rules, final List<Label> labels) throws IOException
    {
        Files.createDirectories(rules);
        for (final String name : List.of("networks.yaml", "detectors.yaml", "enforcement.yaml", "exemptions.yaml"))
        {
            Files.copy(Path.of("rules", name), rules.resolve(name));
        }
        final Path networks = rules.resolve("networks.yaml");
        Files.writeString(networks, Files.readString(networks).replace(
            "      - 2001:db8:1000::/36", "      - 2001:db8:140::/48\n      - 2001:db8:1000::/36"));
        return rules;
    }

    @Test
    void shouldExitZero()
    {
        assertThat(traffic.exitCode).as(traffic.stderr).isZero();
    }

    @Test
    void shouldBlockEveryAbuserAndReportTimeToBlockPerKind()
    {
        final Map<String, List<Double>> secondsByKind = new TreeMap<>();
        final List<String> missed = new ArrayList<>();
        for (final Label label : traffic.labels.abusive())
        {
            if (label.kind().equals(HostKind.AUTH_BRUTE_FORCER.label()))
            {
                continue; // alert-only by design: see shouldOnlyAlertOnAuthBruteForce
            }
            final double seconds = traffic.secondsToBlock(label.host());
            if (Double.isNaN(seconds))
            {
                missed.add(label.kind() + " " + label.host() + " (" + label.note() + ")");
            }
            secondsByKind.computeIfAbsent(label.kind(), k -> new ArrayList<>()).add(seconds);
        }
        System.out.println("time to block per kind (s): " + secondsByKind);
        assertThat(missed).as("abusers never blocked").isEmpty();
        for (final Double s : secondsByKind.get(HostKind.MASS_SENDER.label()))
        {
            assertThat(s).isLessThan(60.0);
        }
        for (final Double s : secondsByKind.get(HostKind.PORT25_SCANNER.label()))
        {
            assertThat(s).isLessThan(60.0);
        }
    }

    /**
     * An AUTH brute forcer attacks someone's submission server: the ISP wants to know, but submission ports are
     * never blocked on port alone (RFC 5068, 6409, 8314) and blocking its port 25 would not stop it.
     */
    @Test
    void shouldOnlyAlertOnAuthBruteForce()
    {
        for (final Label label : traffic.labels.hosts())
        {
            if (label.kind().equals(HostKind.AUTH_BRUTE_FORCER.label()))
            {
                final List<JsonNode> decisions = traffic.decisionsByHost.getOrDefault(label.host(), List.of());
                assertThat(decisions).as(label.host()).anyMatch(d -> d.path("rule").asText().equals("smtp-auth-bruteforce")
                    && d.path("action").asText().equals("alert"));
                assertThat(traffic.firstBlockCovering(label.host())).isNull();
            }
        }
    }

    @Test
    void shouldNotBlockAnyCleanHostIncludingTheExemptedBusinessMta()
    {
        for (final Label label : traffic.labels.hosts())
        {
            if (label.expectedVerdict().equals("clean"))
            {
                assertThat(traffic.firstBlock(label.host())).as("%s %s (%s)", label.kind(), label.host(), label.note())
                    .isNull();
                // a block of a prefix holding the host shuts its port 25 as surely as a block of the address; the
                // generator numbers every IPv6 host of this bed inside one /64, where a real /64 is one subscriber's
                // LAN, so a clean host in an abuser's /64 is that abuser's subscriber and is left out of this check
                if (!sharesSlash64WithAnAbuser(label.host()))
                {
                    assertThat(traffic.firstBlockCovering(label.host())).as("%s %s (%s), by a prefix", label.kind(),
                        label.host(), label.note()).isNull();
                }
            }
        }
    }

    private boolean sharesSlash64WithAnAbuser(final String host)
    {
        if (host.indexOf(':') < 0)
        {
            return false;
        }
        final long hi = Addresses.parse(host)[0];
        for (final Label abuser : traffic.labels.abusive())
        {
            if (abuser.host().indexOf(':') >= 0 && Addresses.parse(abuser.host())[0] == hi)
            {
                return true;
            }
        }
        return false;
    }
}
