package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.egress25.host.Action;
import org.egress25.host.Addresses;
import org.junit.jupiter.api.Test;

class ShippedRulesTest
{
    private static final Path RULES = Path.of("rules");

    @Test
    void shouldLoadTheShippedRulesWithoutAnyWarning() throws Exception
    {
        final Policy policy = PolicyLoader.load(RULES);

        assertThat(policy.notes()).isEmpty();
        assertThat(policy.classes()).extracting(HostClass::name)
            .containsExactly("residential-dynamic", "business-static", "cgnat", "isp-relays");
        assertThat(policy.classes()).extracting(HostClass::mode).containsExactly(
            Port25Mode.DETECT_THEN_BLOCK, Port25Mode.DETECT_THEN_BLOCK, Port25Mode.DETECT_THEN_BLOCK, Port25Mode.OBSERVE);
    }

    @Test
    void shouldShipTheDocumentedRateDetectorsUnderTheirStableIds() throws Exception
    {
        final Policy policy = PolicyLoader.load(RULES);

        assertThat(policy.defaultDetectors()).containsExactly(
            new RateDetector("port25-attempts-1m", RateMetric.ATTEMPTS, PortGroup.RELAY, Duration.ofMinutes(1), 20, 0,
                Action.BLOCK),
            new RateDetector("port25-attempts-5m", RateMetric.ATTEMPTS, PortGroup.RELAY, Duration.ofMinutes(5), 40, 0,
                Action.BLOCK),
            new RateDetector("port25-fanout-5m", RateMetric.DISTINCT_DESTINATIONS, PortGroup.RELAY,
                Duration.ofMinutes(5), 10, 0, Action.BLOCK),
            new RateDetector("port25-failure-ratio-5m", RateMetric.FAILURE_RATIO, PortGroup.RELAY,
                Duration.ofMinutes(5), 0.5, 20, Action.BLOCK),
            new RateDetector("port25-attempts-1h", RateMetric.ATTEMPTS, PortGroup.RELAY, Duration.ofHours(1), 300, 0,
                Action.BLOCK),
            new RateDetector("submission-attempts-1m", RateMetric.ATTEMPTS, PortGroup.SUBMISSION,
                Duration.ofMinutes(1), 60, 0, Action.ALERT),
            new RateDetector("port25-concurrent", RateMetric.CONCURRENT, PortGroup.RELAY, Duration.ZERO, 30, 0,
                Action.ALERT));
    }

    @Test
    void shouldShipExactlyTheCodeDefaultsForSmtpSprtLadderAndCapture() throws Exception
    {
        final Policy policy = PolicyLoader.load(RULES);

        assertThat(policy.smtp()).isEqualTo(SmtpRules.defaults());
        assertThat(policy.sprt()).isEqualTo(SprtRules.defaults());
        assertThat(policy.ladder().steps()).containsExactly(
            Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7));
        assertThat(policy.ladder().memory()).isEqualTo(Duration.ofDays(30));
        assertThat(policy.smtpPorts()).containsExactly(25, 465, 587, 2525);
        assertThat(policy.synTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.enforcement()).isEqualTo(EnforcementRules.none());
        assertThat(policy.enforcer()).isEqualTo("none");
        final Policy codeDefaults = Policy.builder().build();
        assertThat(policy.ladder()).isEqualTo(codeDefaults.ladder());
        assertThat(policy.smtpPorts()).isEqualTo(codeDefaults.smtpPorts());
        assertThat(policy.synTimeout()).isEqualTo(codeDefaults.synTimeout());
    }

    @Test
    void shouldBundleTheSameRulesInTheJarAsInTheRulesDirectory() throws Exception
    {
        final Policy fromDisk = PolicyLoader.load(RULES);
        final Policy builtIn = PolicyLoader.loadDefaults();

        assertThat(builtIn.hash()).isEqualTo(fromDisk.hash()).hasSize(64);
        assertThat(builtIn.classes()).isEqualTo(fromDisk.classes());
        assertThat(builtIn.defaultDetectors()).isEqualTo(fromDisk.defaultDetectors());
        assertThat(builtIn.smtp()).isEqualTo(fromDisk.smtp());
        assertThat(builtIn.sprt()).isEqualTo(fromDisk.sprt());
        assertThat(builtIn.ladder()).isEqualTo(fromDisk.ladder());
        assertThat(builtIn.enforcement()).isEqualTo(fromDisk.enforcement());
        assertThat(builtIn.exemptions().list()).extracting(Exemption::network)
            .isEqualTo(fromDisk.exemptions().list().stream().map(Exemption::network).collect(Collectors.toList()));
    }

    @Test
    void shouldListEveryShippedYamlFileInTheJarIndex() throws IOException
    {
        final List<String> indexed = Files.readAllLines(RULES.resolve("index.txt")).stream()
            .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
        try (Stream<Path> files = Files.list(RULES))
        {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted())
                .containsExactlyElementsOf(indexed);
        }
    }

    @Test
    void shouldScaleCgnatAndBusinessThresholdsOverTheResidentialOnes() throws Exception
    {
        final Policy policy = PolicyLoader.load(RULES);

        assertThat(threshold(policy, "198.51.100.7", "port25-attempts-1m")).isEqualTo(20);
        assertThat(threshold(policy, "203.0.113.7", "port25-attempts-1m")).isEqualTo(60);
        assertThat(threshold(policy, "100.64.1.2", "port25-attempts-1m")).isEqualTo(200);
        assertThat(threshold(policy, "100.64.1.2", "port25-failure-ratio-5m")).isEqualTo(0.5);
        assertThat(threshold(policy, "2001:db8:1234::9", "port25-fanout-5m")).isEqualTo(10);
        assertThat(policy.classify(addr("192.0.2.25")[0], addr("192.0.2.25")[1]).mode()).isEqualTo(Port25Mode.OBSERVE);
        assertThat(policy.isInside(addr("8.8.8.8")[0], addr("8.8.8.8")[1])).isFalse();
    }

    static double threshold(final Policy policy, final String host, final String detector)
    {
        final long[] a = addr(host);
        return policy.classify(a[0], a[1]).detectors().stream()
            .filter(d -> d.id().equals(detector)).findFirst().orElseThrow().threshold();
    }

    static long[] addr(final String text)
    {
        return Addresses.parse(text);
    }
}
