package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.egress25.host.Action;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest
{
    private static final Instant NOW = Instant.parse("2026-11-28T00:00:00Z");

    private static final String DETECTOR = String.join("\n",
        "detectors:",
        "  port25-attempts-1m:",
        "    metric: attempts",
        "    ports: relay",
        "    window: 1m",
        "    threshold: 20",
        "    action: block",
        "");

    @TempDir
    Path dir;

    @Test
    void shouldLoadOneFileAndTakeEveryLeftOutSectionFromTheBuiltInRules() throws Exception
    {
        final Path file = write("lab.yaml",
            "version: 1",
            "classes:",
            "  lab:",
            "    mode: detect-then-block",
            "    networks: [192.0.2.0/24]",
            DETECTOR);

        final Policy policy = PolicyLoader.load(file, NOW);

        assertThat(policy.classes()).singleElement().satisfies(c ->
        {
            assertThat(c.name()).isEqualTo("lab");
            assertThat(c.networks()).containsExactly(Cidr.parse("192.0.2.0/24"));
            assertThat(c.detectors()).extracting(RateDetector::id).containsExactly("port25-attempts-1m");
        });
        assertThat(policy.smtp()).isEqualTo(SmtpRules.defaults());
        assertThat(policy.sprt()).isEqualTo(SprtRules.defaults());
        assertThat(policy.ladder()).isEqualTo(PolicyLoader.loadDefaults().ladder());
        assertThat(policy.exemptions().isEmpty()).isTrue();
        assertThat(policy.sourceDescription()).isEqualTo(file.toString());
        assertThat(policy.hash()).hasSize(64);
    }

    @Test
    void shouldMergeTheYamlFilesOfADirectoryAndIgnoreOtherFiles() throws Exception
    {
        write("networks.yaml",
            "version: 1",
            "classes:",
            "  lab: {mode: observe, networks: ['2001:db8::/32']}");
        write("detectors.yaml", "version: 1", DETECTOR);
        write("notes.txt", "this: is not read");

        final Policy policy = PolicyLoader.load(dir, NOW);

        assertThat(policy.classes()).extracting(HostClass::name).containsExactly("lab");
        assertThat(policy.classes().get(0).mode()).isEqualTo(Port25Mode.OBSERVE);
        assertThat(policy.defaultDetectors()).extracting(RateDetector::id).containsExactly("port25-attempts-1m");
        assertThat(policy.sourceDescription()).endsWith("(detectors.yaml, networks.yaml)");
    }

    @Test
    void shouldChangeTheHashWhenAnyRuleTextChanges() throws Exception
    {
        final Path file = write("a.yaml", "version: 1", DETECTOR);
        final String before = PolicyLoader.load(file, NOW).hash();
        write("a.yaml", "version: 1", DETECTOR.replace("20", "21"));

        assertThat(PolicyLoader.load(file, NOW).hash()).isNotEqualTo(before);
    }

    @Test
    void shouldSuggestTheNearestKeyForAnUnknownOneAtItsLineAndColumn() throws Exception
    {
        final Path file = write("d.yaml",
            "version: 1",
            "detectors:",
            "  port25-attempts-1m:",
            "    metric: attempts",
            "    ports: relay",
            "    windw: 1m",
            "    threshold: 20",
            "    action: block");

        assertThat(problems(file)).containsExactly(
            file + ":6:5: error: unknown key 'windw' in detectors.port25-attempts-1m; did you mean 'window'?");
    }

    @Test
    void shouldSuggestTheNearestSectionForAnUnknownTopLevelKey() throws Exception
    {
        final Path file = write("t.yaml", "version: 1", "clases: {}");

        assertThat(problems(file)).containsExactly(
            file + ":2:1: error: unknown key 'clases' in the top level of " + file + "; did you mean 'classes'?");
    }

    @Test
    void shouldRefuseWrongTypesWhereTheValueIsWritten() throws Exception
    {
        final Path file = write("d.yaml",
            "version: 1",
            "detectors:",
            "  a:",
            "    metric: attempts",
            "    ports: relay",
            "    window: 1m",
            "    threshold: \"20\"",
            "    action: block",
            "  b:",
            "    metric: attempts",
            "    ports: [relay]",
            "    window: 1m",
            "    threshold: lots",
            "    action: maybe",
            "enforcement:",
            "  output-chain: yes");

        assertThat(problems(file)).containsExactly(
            file + ":7:16: error: detectors.a.threshold: expected a number, got the quoted text \"20\" (drop the quotes)",
            file + ":11:12: error: detectors.b.ports: expected text, got a list",
            file + ":13:16: error: detectors.b.threshold: expected a number, got 'lots'",
            file + ":14:13: error: detectors.b.action: 'maybe' is not an action (alert, block)",
            file + ":16:17: error: enforcement.output-chain: expected true or false, got 'yes'");
    }

    @Test
    void shouldReportBadCidrsWithTheCidrParsersMessage() throws Exception
    {
        final Path file = write("n.yaml",
            "version: 1",
            "classes:",
            "  lab:",
            "    mode: observe",
            "    networks:",
            "      - 10.1.2.3/16",
            "      - 10.1",
            "      - 2001:db8::/129",
            "      - mail.example.com/24");

        assertThat(problems(file)).containsExactly(
            file + ":6:9: error: classes.lab.networks: '10.1.2.3/16' has host bits set; did you mean 10.1.0.0/16?",
            file + ":7:9: error: classes.lab.networks: '10.1' is not an IPv4 or IPv6 network (expected e.g. 10.0.0.0/8)",
            file + ":8:9: error: classes.lab.networks: '2001:db8::/129' has prefix length 129, outside 0..128",
            file + ":9:9: error: classes.lab.networks: 'mail.example.com/24' is not an IPv4 or IPv6 network"
                + " (expected e.g. 10.0.0.0/8)");
    }

    @Test
    void shouldReadTheIpv6PrefixOfAClassDefaulting64AndOffFor128() throws Exception
    {
        final Path file = write("p.yaml",
            "version: 1",
            "classes:",
            "  home:",
            "    mode: detect-then-block",
            "    networks: [2001:db8:1000::/36]",
            "  delegated:",
            "    mode: detect-then-block",
            "    networks: [2001:db8:2000::/36]",
            "    ipv6-prefix: 56",
            "  servers:",
            "    mode: detect-then-block",
            "    networks: [2001:db8:3000::/36]",
            "    ipv6-prefix: 128",
            "  carved:",
            "    mode: detect-then-block",
            "    networks: [2001:db8:4000::25/128]");

        final Policy policy = PolicyLoader.load(file, NOW);

        assertThat(policy.classes()).extracting(HostClass::name, HostClass::ipv6Prefix).containsExactly(
            tuple("home", 64), tuple("delegated", 56), tuple("servers", 128), tuple("carved", 128));
    }

    @Test
    void shouldRefuseAnIpv6PrefixOutsideItsRangeOrWiderThanTheClass() throws Exception
    {
        final Path file = write("q.yaml",
            "version: 1",
            "classes:",
            "  a:",
            "    mode: observe",
            "    networks: [2001:db8:1000::/36]",
            "    ipv6-prefix: 96",
            "  b:",
            "    mode: observe",
            "    networks: [2001:db8:2000::/36]",
            "    ipv6-prefix: 16",
            "  c:",
            "    mode: observe",
            "    networks: [2001:db8:3000::/36]",
            "    ipv6-prefix: 34",
            "  d:",
            "    mode: observe",
            "    networks: [2001:db8:4000::/36]",
            "    ipv6-prefix: \"64\"");

        assertThat(problems(file)).containsExactly(
            file + ":6:18: error: classes.a.ipv6-prefix: 96 is not a prefix egress25 judges as one; use 32 to 64"
                + " (a /64 is one subscriber LAN, RFC 7421), or 128 to judge each address alone",
            file + ":10:18: error: classes.b.ipv6-prefix: 16 is out of range 32..128",
            file + ":14:18: error: classes.c.ipv6-prefix: /34 is wider than the class's network 2001:db8:3000::/36;"
                + " a prefix judged as one must lie inside the class",
            file + ":18:18: error: classes.d.ipv6-prefix: expected a whole number, got the quoted text \"64\" (drop the quotes)");
    }

    @Test
    void shouldRefuseBadDurations() throws Exception
    {
        final Path file = write("b.yaml",
            "version: 1",
            "blocking:",
            "  ladder: [10m, 1 hour, 0s]",
            "  memory: 30days");

        assertThat(problems(file)).containsExactly(
            file + ":3:17: error: blocking.ladder: '1 hour' is not a duration (a whole number and one of ms, s, m, h, d:"
                + " e.g. 30s, 5m, 1h, 7d)",
            file + ":3:25: error: blocking.ladder: a duration must be longer than zero",
            file + ":4:11: error: blocking.memory: '30days' is not a duration (a whole number and one of ms, s, m, h, d:"
                + " e.g. 30s, 5m, 1h, 7d)");
    }

    @Test
    void shouldTakeLongLadderStepsTheKernelHoldsAndRefuseLongerOnes() throws Exception
    {
        final Path file = write("l.yaml",
            "version: 1",
            "blocking:",
            "  ladder: [10m, 1h, 24h, 7d, 60d, 300000d]",
            "  memory: 30d");

        assertThat(problems(file)).containsExactly(
            file + ":3:35: error: blocking.ladder: 300000d is longer than the kernel can hold a block (213503d)");
    }

    @Test
    void shouldReportMissingRequiredFieldsAndMissingVersion() throws Exception
    {
        final Path file = write("c.yaml",
            "classes:",
            "  lab:",
            "    networks: [192.0.2.0/24]",
            "exemptions:",
            "  - ticket: T-1");

        assertThat(problems(file)).containsExactly(
            file + ": error: missing 'version: 1' (say which rule language the files are written in)",
            file + ":3:5: error: classes.lab: missing required key 'mode'",
            file + ":5:5: error: exemptions[0]: give exactly one of 'source' (an inside host or network that may send"
                + " on port 25) or 'destination' (a server talking to which never counts)");
    }

    @Test
    void shouldRefuseBlockOnSubmissionPortsCitingTheRfcs() throws Exception
    {
        final Path file = write("s.yaml",
            "version: 1",
            "detectors:",
            "  submission-attempts-1m:",
            "    metric: attempts",
            "    ports: submission",
            "    window: 1m",
            "    threshold: 60",
            "    action: block",
            "enforcement:",
            "  ports: [25, 587]");

        final List<String> problems = problems(file);
        assertThat(problems).hasSize(2);
        assertThat(problems.get(0)).startsWith(file + ":8:13: error: detectors.submission-attempts-1m.action: block is"
            + " refused for ports: submission; submission ports (587, 465, 2525) are never blocked on port alone")
            .contains("RFC 5068").contains("RFC 6409").contains("RFC 8314");
        assertThat(problems.get(1)).startsWith(file + ":10:15: error: enforcement.ports: port 587 is refused;")
            .contains("RFC 6409");
    }

    @Test
    void shouldRefuseASectionDefinedInTwoFilesNamingBothPlaces() throws Exception
    {
        final Path first = write("a.yaml", "version: 1", DETECTOR);
        final Path second = write("b.yaml", "# more detectors", DETECTOR);

        assertThat(problems(dir)).containsExactly(
            second + ":2:1: error: section 'detectors' is already defined at " + first
                + ":2:1; a section may appear in one file only");
    }

    @Test
    void shouldRefuseAKeyGivenTwiceInOneMapping() throws Exception
    {
        final Path file = write("k.yaml",
            "version: 1",
            "sprt:",
            "  alpha: 0.01",
            "  alpha: 0.02");

        assertThat(problems(file)).containsExactly(
            file + ":4:3: error: sprt: key 'alpha' is given twice (first at " + file + ":3:3)");
    }

    @Test
    void shouldRefuseTheSameBlockInTwoClassesButNoteANestedOne() throws Exception
    {
        final Path file = write("o.yaml",
            "version: 1",
            "classes:",
            "  home:",
            "    mode: detect-then-block",
            "    networks: [10.0.0.0/8]",
            "  office:",
            "    mode: detect-then-block",
            "    networks: [10.0.0.0/8]");

        assertThat(problems(file)).containsExactly(
            file + ":8:16: error: classes.office.networks: 10.0.0.0/8 is already listed in class 'home' at "
                + file + ":5:16; a block can belong to one class only");

        write("o.yaml",
            "version: 1",
            "classes:",
            "  home:",
            "    mode: detect-then-block",
            "    networks: [10.0.0.0/8]",
            "  office:",
            "    mode: detect-then-block",
            "    networks: [10.20.0.0/16]");
        final Policy policy = PolicyLoader.load(file, NOW);
        assertThat(policy.notes()).extracting(Problem::toString).containsExactly(
            file + ":8:16: note: classes.office.networks: 10.20.0.0/16 (class office) lies inside 10.0.0.0/8 (class"
                + " home, " + file + ":5:16); the longer prefix wins, so its addresses are office");
    }

    @Test
    void shouldWarnAboutARedundantBlockAtTheRedundantBlockWhicheverComesFirst() throws Exception
    {
        final Path file = write("r.yaml",
            "version: 1",
            "classes:",
            "  home:",
            "    mode: detect-then-block",
            "    networks:",
            "      - 10.20.0.0/16",
            "      - 10.0.0.0/8",
            "  office:",
            "    mode: detect-then-block",
            "    networks:",
            "      - 172.16.0.0/12",
            "      - 10.30.0.0/16");

        assertThat(PolicyLoader.load(file, NOW).notes()).extracting(Problem::toString).containsExactly(
            file + ":6:9: warning: classes.home.networks: 10.20.0.0/16 lies inside 10.0.0.0/8 of the same class ("
                + file + ":7:9); it is redundant",
            file + ":12:9: note: classes.office.networks: 10.30.0.0/16 (class office) lies inside 10.0.0.0/8 (class"
                + " home, " + file + ":7:9); the longer prefix wins, so its addresses are office");
    }

    @Test
    void shouldReportYamlSyntaxErrorsAtTheirPosition() throws Exception
    {
        final Path file = write("y.yaml",
            "version: 1",
            "classes:",
            "  lab: {mode: observe, networks: [10.0.0.0/8]",
            "detectors: {}");

        final List<String> problems = problems(file);
        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith(file + ":4:1: error: YAML syntax: ");
    }

    @Test
    void shouldReportEveryProblemOfEveryFileTogether() throws Exception
    {
        write("a.yaml", "version: 1", "classes:", "  lab: {mode: sometimes, networks: [300.0.0.0/8]}");
        write("b.yaml", "version: 2", "sprt: {alpha: 0.7, theta0: 0.9, theta1: 0.2}");

        final PolicyException e = catchThrowableOfType(PolicyException.class, () -> PolicyLoader.load(dir, NOW));

        assertThat(e.errorCount()).isEqualTo(5);
        assertThat(e.getMessage()).startsWith("5 errors in the rules:")
            .contains("a.yaml:3:15: error: classes.lab.mode: 'sometimes' is not a port-25 mode")
            .contains("a.yaml:3:37: error: classes.lab.networks: '300.0.0.0/8' is not an IPv4 or IPv6 network")
            .contains("b.yaml:1:10: error: version: this egress25 reads rule files of version 1, not 2")
            .contains("b.yaml:2:15: error: sprt.alpha: 0.7 is out of range (0, 0.5)")
            .contains("b.yaml:2:41: error: sprt.theta1: must be greater than theta0");
    }

    @Test
    void shouldResolvePerClassThresholdOverridesIntoTheClassDetectors() throws Exception
    {
        final Path file = write("r.yaml",
            "version: 1",
            "classes:",
            "  home: {mode: detect-then-block, networks: [10.0.0.0/8]}",
            "  cgnat:",
            "    mode: detect-then-block",
            "    networks: [100.64.0.0/10]",
            "    thresholds: {port25-attempts-1m: 200, port25-failure-ratio-5m: 0.7}");

        final Policy policy = PolicyLoader.load(file, NOW);

        assertThat(ShippedRulesTest.threshold(policy, "10.1.1.1", "port25-attempts-1m")).isEqualTo(20);
        assertThat(ShippedRulesTest.threshold(policy, "100.64.0.9", "port25-attempts-1m")).isEqualTo(200);
        assertThat(ShippedRulesTest.threshold(policy, "100.64.0.9", "port25-failure-ratio-5m")).isEqualTo(0.7);
        assertThat(ShippedRulesTest.threshold(policy, "100.64.0.9", "port25-fanout-5m")).isEqualTo(10);
        final RateDetector resolved = policy.classes().get(1).detectors().get(0);
        assertThat(resolved).isEqualTo(new RateDetector("port25-attempts-1m", RateMetric.ATTEMPTS, PortGroup.RELAY,
            Duration.ofMinutes(1), 200, 0, Action.BLOCK));
        assertThat(policy.defaultDetectors().get(0).threshold()).isEqualTo(20);
    }

    @Test
    void shouldRefuseAnOverrideOfAnUnknownDetectorOrAnImpossibleRatio() throws Exception
    {
        final Path file = write("r.yaml",
            "version: 1",
            "classes:",
            "  cgnat:",
            "    mode: detect-then-block",
            "    networks: [100.64.0.0/10]",
            "    thresholds:",
            "      port25-atempts-1m: 200",
            "      port25-failure-ratio-5m: 1.5");

        assertThat(problems(file)).containsExactly(
            file + ":7:7: error: unknown key 'port25-atempts-1m' in classes.cgnat.thresholds;"
                + " did you mean 'port25-attempts-1m'?",
            file + ":8:32: error: classes.cgnat.thresholds.port25-failure-ratio-5m: 1.5 is out of range (0, 1]");
    }

    @Test
    void shouldClassifyByLongestPrefixForIpv4AndIpv6() throws Exception
    {
        final Path file = write("p.yaml",
            "version: 1",
            "classes:",
            "  wide: {mode: block-by-default, networks: [10.0.0.0/8, '2001:db8::/32']}",
            "  carve: {mode: detect-then-block, networks: [10.1.0.0/16, '2001:db8:1::/48']}",
            "  single: {mode: observe, networks: [10.1.2.3/32, '2001:db8:1::25/128']}");

        final Policy policy = PolicyLoader.load(file, NOW);

        assertThat(classOf(policy, "10.9.9.9")).isEqualTo("wide");
        assertThat(classOf(policy, "10.1.9.9")).isEqualTo("carve");
        assertThat(classOf(policy, "10.1.2.3")).isEqualTo("single");
        assertThat(classOf(policy, "11.0.0.1")).isNull();
        assertThat(classOf(policy, "2001:db8:2::1")).isEqualTo("wide");
        assertThat(classOf(policy, "2001:db8:1::1")).isEqualTo("carve");
        assertThat(classOf(policy, "2001:db8:1::25")).isEqualTo("single");
        assertThat(classOf(policy, "2001:db9::1")).isNull();
        assertThat(classOf(policy, "::ffff:10.1.2.3")).isEqualTo("single");
        assertThat(policy.notes()).hasSize(6).allMatch(p -> p.severity() == Problem.Severity.NOTE);
    }

    @Test
    void shouldPutInsideNetworksNoRuleClassifiesInDetectThenBlock() throws Exception
    {
        final Path file = write("i.yaml",
            "version: 1",
            "classes:",
            "  relays: {mode: observe, networks: [192.0.2.0/24]}");

        final Policy policy = PolicyLoader.load(file, NOW)
            .withExtraInside(List.of(Cidr.parse("192.0.2.128/25"), Cidr.parse("198.51.100.0/24")));

        assertThat(classOf(policy, "198.51.100.1")).isEqualTo(Policy.COMMAND_LINE_CLASS);
        assertThat(policy.classify(addr("198.51.100.1")[0], addr("198.51.100.1")[1]).mode())
            .isEqualTo(Port25Mode.DETECT_THEN_BLOCK);
        assertThat(classOf(policy, "192.0.2.200")).isEqualTo("relays");
        assertThat(policy.hash()).isEqualTo(PolicyLoader.load(file, NOW).hash());
    }

    @Test
    void shouldRefuseTheReservedCommandLineClassName() throws Exception
    {
        final Path file = write("i.yaml",
            "version: 1",
            "classes:",
            "  command-line: {mode: observe, networks: [192.0.2.0/24]}");

        assertThat(problems(file)).singleElement().asString().startsWith(file + ":3:3: error: classes: 'command-line'");
    }

    @Test
    void shouldStopApplyingAnExemptionAtItsExpiryInCaptureTime() throws Exception
    {
        final Path file = write("e.yaml",
            "version: 1",
            "classes:",
            "  biz: {mode: detect-then-block, networks: [203.0.113.0/24]}",
            "exemptions:",
            "  - source: 203.0.113.10/32",
            "    expires: 2027-01-31",
            "    ticket: CUST-4711",
            "    comment: runs its own MTA",
            "  - destination: 192.0.2.25",
            "    expires: 2027-01-31T18:00:00Z");

        final Exemptions exemptions = PolicyLoader.load(file, NOW).exemptions();
        final long[] customer = addr("203.0.113.10");
        final long[] neighbour = addr("203.0.113.11");
        final long[] smarthost = addr("192.0.2.25");
        final long expiry = nanos("2027-01-31T00:00:00Z");
        final long relayExpiry = nanos("2027-01-31T18:00:00Z");

        assertThat(exemptions.sourceExempt(customer[0], customer[1], expiry - 1)).isTrue();
        assertThat(exemptions.sourceExempt(customer[0], customer[1], expiry)).isFalse();
        assertThat(exemptions.sourceExempt(neighbour[0], neighbour[1], expiry - 1)).isFalse();
        assertThat(exemptions.destinationExempt(customer[0], customer[1], expiry - 1)).isFalse();
        assertThat(exemptions.destinationExempt(smarthost[0], smarthost[1], relayExpiry - 1)).isTrue();
        assertThat(exemptions.destinationExempt(smarthost[0], smarthost[1], relayExpiry)).isFalse();
        assertThat(exemptions.list()).first().satisfies(x ->
        {
            assertThat(x.ticket()).isEqualTo("CUST-4711");
            assertThat(x.comment()).isEqualTo("runs its own MTA");
            assertThat(x.location()).isEqualTo(file + ":5");
        });
    }

    @Test
    void shouldWarnAboutAnExpiredExemptionButStillLoad() throws Exception
    {
        final Path file = write("e.yaml",
            "version: 1",
            "classes:",
            "  biz: {mode: detect-then-block, networks: [203.0.113.0/24]}",
            "exemptions:",
            "  - source: 203.0.113.10/32",
            "    expires: 2026-11-01",
            "    ticket: CUST-1");

        final Policy policy = PolicyLoader.load(file, NOW);

        assertThat(policy.notes()).extracting(Problem::toString).containsExactly(
            file + ":6:14: warning: exemptions[0]: the exemption for source 203.0.113.10/32 (ticket CUST-1) expired at"
                + " 2026-11-01T00:00:00Z and no longer applies; remove it or extend it");
        assertThat(policy.exemptions().expired(NOW)).hasSize(1);
    }

    @Test
    void shouldWarnWhenADistinctDestinationsThresholdExceedsWhatTheEstimatorReads() throws Exception
    {
        final Path file = write("f.yaml",
            "version: 1",
            "classes:",
            "  cgnat:",
            "    mode: detect-then-block",
            "    networks: [100.64.0.0/10]",
            "    thresholds: {port25-fanout-5m: 100}");

        final Policy policy = PolicyLoader.load(file, NOW);

        assertThat(policy.notes()).extracting(Problem::toString).containsExactly(
            file + ":6:36: warning: classes.cgnat.thresholds.port25-fanout-5m: 100 distinct destinations lies beyond"
                + " what the distinct-count estimator reads (a 128-bit bitmap: it reads 70 for 100 true destinations"
                + " and needs about 195 true destinations to pass it); keep it at 60 or below, or use an attempts rule");
    }

    @Test
    void shouldShipNoDistinctDestinationsThresholdBeyondTheEstimatorsRange() throws Exception
    {
        assertThat(PolicyLoader.load(Path.of("rules"), NOW).notes()).isEmpty();
    }

    @Test
    void shouldRefuseHeloAndAuthBlocksAndImpossibleSprtParameters() throws Exception
    {
        final Path file = write("x.yaml",
            "version: 1",
            "smtp:",
            "  helo: {action: block}",
            "  auth: {action: block}",
            "sprt:",
            "  beta: 0.5");

        final List<String> problems = problems(file);
        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).startsWith(file + ":3:18: error: smtp.helo.action: block is refused: HELO oddities"
            + " alone never block");
        assertThat(problems.get(1)).startsWith(file + ":4:18: error: smtp.auth.action: block is refused: AUTH happens"
            + " on submission ports");
        assertThat(problems.get(2)).isEqualTo(file + ":6:9: error: sprt.beta: 0.5 is out of range (0, 0.5)");
    }

    @Test
    void shouldNameAMissingPathOrAnEmptyDirectory() throws IOException
    {
        assertThatThrownBy(() -> PolicyLoader.load(dir.resolve("nope.yaml"), NOW))
            .isInstanceOf(PolicyException.class).hasMessageContaining("nope.yaml: error: no such file or directory");
        assertThatThrownBy(() -> PolicyLoader.load(dir, NOW))
            .isInstanceOf(PolicyException.class).hasMessageContaining("no *.yaml or *.yml rule files in this directory");
        Files.write(dir.resolve("bad.yaml"), new byte[] {(byte)0xff, (byte)0xfe, 'a'});
        assertThatThrownBy(() -> PolicyLoader.load(dir, NOW))
            .isInstanceOf(PolicyException.class).hasMessageContaining("bad.yaml: error: not UTF-8 text");
    }

    @Test
    void shouldRequireAnExecCommandWhenTheEnforcerIsExec() throws Exception
    {
        final Path file = write("x.yaml",
            "version: 1",
            "enforcement:",
            "  enforcer: exec");
        assertThat(problems(file)).containsExactly(
            file + ":3:13: error: enforcement.enforcer: exec needs an 'exec: {command: [...]}' entry");

        write("x.yaml",
            "version: 1",
            "enforcement:",
            "  enforcer: exec",
            "  exec: {command: [/bin/echo, '{host}'], timeout: 2s}");
        final EnforcementRules rules = PolicyLoader.load(file, NOW).enforcement();
        assertThat(rules.execCommand()).containsExactly("/bin/echo", "{host}");
        assertThat(rules.execTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(PolicyLoader.load(file, NOW).enforcer()).isEqualTo("exec");
    }

    private List<String> problems(final Path path)
    {
        final PolicyException e = catchThrowableOfType(PolicyException.class, () -> PolicyLoader.load(path, NOW));
        assertThat(e).as("expected the rules to be refused").isNotNull();
        return e.problems().stream().map(Problem::toString).collect(Collectors.toList());
    }

    private Path write(final String name, final String... lines) throws IOException
    {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private static String classOf(final Policy policy, final String address)
    {
        final long[] a = addr(address);
        final HostClass hostClass = policy.classify(a[0], a[1]);
        return hostClass == null ? null : hostClass.name();
    }

    private static long[] addr(final String text)
    {
        return Addresses.parse(text);
    }

    private static long nanos(final String instant)
    {
        return Exemptions.toEpochNanos(Instant.parse(instant));
    }
}
