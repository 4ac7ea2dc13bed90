package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.egress25.enforce.NetnsLab.BLOCKED4;
import static org.egress25.enforce.NetnsLab.BLOCKED6;
import static org.egress25.enforce.NetnsLab.CLEAN4;
import static org.egress25.enforce.NetnsLab.CLEAN6;
import static org.egress25.enforce.NetnsLab.SERVER4;
import static org.egress25.enforce.NetnsLab.SERVER6;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.decision.Decision;
import org.egress25.enforce.NetnsLab.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real nftables in a namespace the test owns, with real TCP connections through it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NftablesEnforcerTest
{
    private NetnsLab lab;
    private NftablesEnforcer enforcer;

    @BeforeEach
    void createLab() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        lab = NetnsLab.create();
    }

    @AfterEach
    void removeLab()
    {
        if (enforcer != null)
        {
            enforcer.close();
        }
        if (lab != null)
        {
            lab.close();
        }
    }

    private NftablesEnforcer start(final NftablesConfig.Builder builder) throws EnforcerException
    {
        enforcer = new NftablesEnforcer(builder.nftCommand(lab.nft()).build());
        enforcer.start();
        return enforcer;
    }

    @Test
    void shouldRefuseBlockedHostOnPort25WhileItsSubmissionAndCleanHostsStillConnect() throws Exception
    {
        start(NftablesConfig.builder());
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).as("before the block").isEqualTo(Outcome.OPEN);
        assertThat(lab.connect(BLOCKED6, SERVER6, 25, 5)).as("before the block").isEqualTo(Outcome.OPEN);

        final Instant now = Instant.now();
        enforcer.apply(List.of(Decisions.block(BLOCKED4, now, Duration.ofMinutes(5)),
            Decisions.block(BLOCKED6, now, Duration.ofMinutes(5)), Decisions.alert(CLEAN4, now)));

        assertThat(enforcer.errors()).isZero();
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
        assertThat(lab.connect(BLOCKED6, SERVER6, 25, 5)).isEqualTo(Outcome.REFUSED);
        assertThat(lab.connect(BLOCKED4, SERVER4, 587, 5)).isEqualTo(Outcome.OPEN);
        assertThat(lab.connect(BLOCKED6, SERVER6, 587, 5)).isEqualTo(Outcome.OPEN);
        assertThat(lab.connect(CLEAN4, SERVER4, 25, 5)).as("alerts block nobody").isEqualTo(Outcome.OPEN);
        assertThat(lab.connect(CLEAN6, SERVER6, 25, 5)).isEqualTo(Outcome.OPEN);
        assertThat(enforcer.lastApplyNanos()).isPositive();
    }

    @Test
    void shouldLetTheKernelLiftTheBlockWhenItsTimeoutExpires() throws Exception
    {
        start(NftablesConfig.builder());
        final Instant now = Instant.now();
        enforcer.apply(List.of(Decisions.block(BLOCKED4, now, Duration.ofMillis(2500))));
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);

        Thread.sleep(Math.max(0, Duration.between(Instant.now(), now.plusMillis(3000)).toMillis()));

        assertThat(enforcer.listElements()).isEmpty();
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.OPEN);
    }

    @Test
    void shouldRestorePort25WhenUnblockedAndNotFailForHostsThatWereNeverBlocked() throws Exception
    {
        start(NftablesConfig.builder());
        final Instant now = Instant.now();
        enforcer.apply(List.of(Decisions.unblock(CLEAN4, now), Decisions.unblock("fd25:1::99", now),
            Decisions.block(BLOCKED4, now, Duration.ofMinutes(5))));
        assertThat(enforcer.errors()).as(String.valueOf(enforcer.lastError())).isZero();
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);

        enforcer.apply(List.of(Decisions.unblock(BLOCKED4, Instant.now())));

        assertThat(enforcer.errors()).isZero();
        assertThat(enforcer.listElements()).isEmpty();
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.OPEN);
    }

    @Test
    void shouldCountADecisionForAnUnusableAddressAndStillApplyTheRestOfTheBatch() throws Exception
    {
        start(NftablesConfig.builder());
        final Instant now = Instant.now();
        enforcer.apply(List.of(Decisions.block("10.0.0.5 } ; flush ruleset ; {", now, Duration.ofMinutes(5)),
            Decisions.block(BLOCKED4, now, Duration.ofMinutes(5))));

        assertThat(enforcer.errors()).isEqualTo(1);
        assertThat(enforcer.lastError()).contains("is not an IPv4 or IPv6 address");
        assertThat(enforcer.listElements()).extracting(KernelElement::host).containsExactly(BLOCKED4);
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void shouldReadBackElementsWithTheirRemainingLifetime() throws Exception
    {
        start(NftablesConfig.builder());
        final Instant now = Instant.now();
        enforcer.apply(List.of(Decisions.block(BLOCKED4, now, Duration.ofHours(1)),
            Decisions.block("FD25:1:0:0:0:0:0:2", now, Duration.ofMinutes(10))));

        final List<KernelElement> elements = enforcer.listElements();

        assertThat(elements).extracting(KernelElement::host).containsExactlyInAnyOrder(BLOCKED4, BLOCKED6);
        final KernelElement v4 = elements.stream().filter(e -> !e.isIpv6()).findFirst().orElseThrow();
        assertThat(v4.timeout()).isBetween(Duration.ofSeconds(3590), Duration.ofSeconds(3600));
        assertThat(v4.remaining()).isBetween(Duration.ofSeconds(3580), Duration.ofSeconds(3600));
    }

    @Test
    void shouldHoldEveryStepOfTheShippedLadderInTheKernelWithItsTimeout() throws Exception
    {
        start(NftablesConfig.builder());
        final Instant now = Instant.now();
        final List<Duration> ladder = List.of(Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(24),
            Duration.ofDays(7), Duration.ofDays(60));
        final List<String> hosts = List.of("10.250.1.20", "10.250.1.21", "10.250.1.22", BLOCKED4, "10.250.1.23");
        final List<Decision> batch = new ArrayList<>();
        for (int i = 0; i < ladder.size(); i++)
        {
            batch.add(Decisions.block(hosts.get(i), now, ladder.get(i)));
        }
        enforcer.apply(batch);

        assertThat(enforcer.errors()).as(String.valueOf(enforcer.lastError())).isZero();
        final List<KernelElement> elements = enforcer.listElements();
        for (int i = 0; i < ladder.size(); i++)
        {
            final String host = hosts.get(i);
            final Duration step = ladder.get(i);
            assertThat(elements).as(host).filteredOn(e -> e.host().equals(host)).singleElement()
                .satisfies(e -> assertThat(e.timeout()).isBetween(step.minusSeconds(5), step))
                .satisfies(e -> assertThat(e.remaining()).isBetween(step.minusSeconds(10), step));
        }
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).as("the 7 d step is enforced").isEqualTo(Outcome.REFUSED);
    }

    @Test
    void shouldApplyTheRestOfTheBatchWhenNftRefusesOneElementAndRetryThatOneAlone(@TempDir final Path dir) throws Exception
    {
        final String poison = "10.250.1.77";
        enforcer = new NftablesEnforcer(NftablesConfig.builder()
            .nftCommand(List.of(lab.refusingNft(dir, poison).toString())).build());
        enforcer.start();
        final Instant now = Instant.now();

        enforcer.apply(List.of(Decisions.block(poison, now, Duration.ofMinutes(5)),
            Decisions.block(BLOCKED4, now, Duration.ofMinutes(5)), Decisions.block(BLOCKED6, now, Duration.ofMinutes(5))));

        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).as("blocked although its batch held a bad element")
            .isEqualTo(Outcome.REFUSED);
        assertThat(lab.connect(BLOCKED6, SERVER6, 25, 5)).isEqualTo(Outcome.REFUSED);
        assertThat(enforcer.pendingCount()).as("only the refused element waits").isEqualTo(1);

        enforcer.apply(List.of(Decisions.block(CLEAN4, Instant.now(), Duration.ofMinutes(5))));
        assertThat(lab.connect(CLEAN4, SERVER4, 25, 5)).as("a later batch is not held back by the refused one")
            .isEqualTo(Outcome.REFUSED);
        assertThat(enforcer.listElements()).extracting(KernelElement::host)
            .containsExactlyInAnyOrder(BLOCKED4, BLOCKED6, CLEAN4);
    }

    @Test
    void shouldReplaceTheLifetimeOfAHostThatIsBlockedAgain() throws Exception
    {
        start(NftablesConfig.builder());
        final Instant now = Instant.now();
        enforcer.apply(List.of(Decisions.block(BLOCKED4, now, Duration.ofHours(1))));
        enforcer.apply(List.of(Decisions.block(BLOCKED4, now, Duration.ofMinutes(2))));

        assertThat(enforcer.listElements()).singleElement()
            .satisfies(e -> assertThat(e.remaining()).isBetween(Duration.ofSeconds(100), Duration.ofSeconds(120)));
    }

    @Test
    void shouldApplyAThousandBlocksInOneTransactionAndReportItsLatency() throws Exception
    {
        final List<Long> latencies = new ArrayList<>();
        start(NftablesConfig.builder().latencyNanos(latencies::add));
        final Instant now = Instant.now();
        final List<Decision> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++)
        {
            batch.add(Decisions.block("10.251." + (i / 250) + "." + (i % 250 + 1), now, Duration.ofMinutes(10)));
        }
        enforcer.apply(List.of(Decisions.block(BLOCKED4, now, Duration.ofMinutes(10))));
        enforcer.apply(batch);

        assertThat(enforcer.listElements()).hasSize(1001);
        assertThat(latencies).hasSize(2).allSatisfy(nanos -> assertThat(nanos).isPositive());
        assertThat(latencies.get(1)).as("one transaction, not a thousand").isLessThan(TimeUnit.SECONDS.toNanos(5));
        System.out.printf("nft apply latency: 1 block %.1f ms, 1000 blocks %.1f ms%n",
            latencies.get(0) / 1e6, latencies.get(1) / 1e6);
    }

    @Test
    void shouldDropSilentlyWhenTheVerdictIsDrop() throws Exception
    {
        start(NftablesConfig.builder().verdict(NftVerdict.DROP));
        enforcer.apply(List.of(Decisions.block(BLOCKED4, Instant.now(), Duration.ofMinutes(5))));

        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 1)).isEqualTo(Outcome.TIMEOUT);
        assertThat(lab.connect(BLOCKED4, SERVER4, 587, 5)).isEqualTo(Outcome.OPEN);
    }

    @Test
    void shouldLeaveOtherTablesUntouched() throws Exception
    {
        lab.nftScript(String.join("\n",
            "table inet other {",
            "  set friends { type ipv4_addr; elements = { 192.0.2.1, 192.0.2.2 } }",
            "  chain forward {",
            "    type filter hook forward priority 0; policy accept;",
            "    tcp dport 9999 counter drop",
            "  }",
            "}",
            "table ip legacy {",
            "  chain input {",
            "    type filter hook input priority 0; policy accept;",
            "    ip saddr 198.51.100.7 drop",
            "  }",
            "}",
            ""));
        final String before = lab.nftList("ruleset");

        start(NftablesConfig.builder().outputChain(true));
        enforcer.apply(List.of(Decisions.block(BLOCKED4, Instant.now(), Duration.ofMinutes(5)),
            Decisions.unblock(CLEAN4, Instant.now())));
        enforcer.close();
        start(NftablesConfig.builder());   // adopt, and drop the output chain again
        enforcer.apply(List.of(Decisions.unblock(BLOCKED4, Instant.now())));

        final String after = lab.nftList("ruleset");
        assertThat(section(after, "table inet other")).isEqualTo(section(before, "table inet other"));
        assertThat(section(after, "table ip legacy")).isEqualTo(section(before, "table ip legacy"));
        assertThat(lab.nftList("table", "inet", "egress25")).doesNotContain("hook output");
    }

    @Test
    void shouldAdoptAnExistingTableKeepingItsBlocksAndApplyingNewPorts() throws Exception
    {
        start(NftablesConfig.builder());
        enforcer.apply(List.of(Decisions.block(BLOCKED4, Instant.now(), Duration.ofMinutes(5))));
        enforcer.close();

        start(NftablesConfig.builder().ports(List.of(25, 587)));

        assertThat(enforcer.listElements()).extracting(KernelElement::host).containsExactly(BLOCKED4);
        assertThat(lab.connect(BLOCKED4, SERVER4, 587, 5)).isEqualTo(Outcome.REFUSED);
        assertThat(lab.connect(CLEAN4, SERVER4, 587, 5)).isEqualTo(Outcome.OPEN);
    }

    @Test
    void shouldCountTheFailureAndRetryTheBatchOnceNftWorksAgain(@TempDir final Path dir) throws Exception
    {
        final Path healthy = dir.resolve("healthy");
        final Path wrapper = lab.flakyNft(dir, healthy, "nft: simulated netlink failure");
        Files.createFile(healthy);
        enforcer = new NftablesEnforcer(NftablesConfig.builder().nftCommand(List.of(wrapper.toString())).build());
        enforcer.start();
        Files.delete(healthy);

        enforcer.apply(List.of(Decisions.block(BLOCKED4, Instant.now(), Duration.ofMinutes(5))));

        assertThat(enforcer.errors()).isEqualTo(1);
        assertThat(enforcer.lastError()).contains("simulated netlink failure");
        assertThat(enforcer.pendingCount()).isEqualTo(1);
        Files.createFile(healthy);
        enforcer.retryFailed();
        // checked before the slow connect below, which can outlast the back-off on a loaded machine
        assertThat(enforcer.pendingCount()).as("back-off of 1 s not yet over").isEqualTo(1);
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.OPEN);

        Thread.sleep(1100);
        enforcer.retryFailed();

        assertThat(enforcer.pendingCount()).isZero();
        assertThat(enforcer.errors()).isEqualTo(1);
        assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void shouldSayHowToInstallNftWhenItIsMissingAndNeverThrowFromApply()
    {
        enforcer = new NftablesEnforcer(NftablesConfig.builder().nftCommand(List.of("/nonexistent/nft")).build());

        assertThatThrownBy(enforcer::start).isInstanceOf(EnforcerException.class)
            .hasMessageContaining("cannot run '/nonexistent/nft -f -'")
            .hasMessageContaining("apt-get install nftables");
        enforcer.apply(List.of(Decisions.block(BLOCKED4, Instant.now(), Duration.ofMinutes(5))));
        assertThat(enforcer.errors()).isEqualTo(2);
        assertThat(enforcer.pendingCount()).isEqualTo(1);
    }

    /** The text of one table in {@code nft list ruleset}. */
    private static String section(final String ruleset, final String header)
    {
        final int start = ruleset.indexOf(header);
        assertThat(start).as(header + " in ruleset").isNotNegative();
        final int end = ruleset.indexOf("\ntable ", start + 1);
        return (end < 0 ? ruleset.substring(start) : ruleset.substring(start, end)).strip();
    }
}
