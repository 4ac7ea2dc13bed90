package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.egress25.enforce.NetnsLab.BLOCKED4;
import static org.egress25.enforce.NetnsLab.BLOCKED6;
import static org.egress25.enforce.NetnsLab.CLEAN4;
import static org.egress25.enforce.NetnsLab.SERVER4;
import static org.egress25.enforce.NetnsLab.SERVER6;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;
import org.egress25.enforce.NetnsLab.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ReconcilerTest
{
    private static final Instant NOW = Instant.parse("2026-11-28T02:00:00Z");
    private static final Duration MEMORY = Duration.ofDays(7);

    @TempDir
    Path dir;

    private static ActiveBlock block(final String host, final Instant expires)
    {
        return new ActiveBlock(host, "relay-attempts-1m", "212 attempts", NOW.minusSeconds(600), expires, 1, Source.DETECTOR);
    }

    @Test
    void shouldPlanReAddsRemovalsAndLeaveCorrectElementsAlone()
    {
        final List<ActiveBlock> journal = List.of(
            block("10.0.0.1", NOW.plusSeconds(3000)),      // kernel lost it
            block("10.0.0.2", NOW.plusSeconds(3000)),      // kernel has it right
            block("10.0.0.3", NOW.plusSeconds(3000)));     // kernel has it with the wrong lifetime
        final List<KernelElement> kernel = List.of(
            new KernelElement("10.0.0.2", Duration.ofSeconds(3600), Duration.ofSeconds(2999)),
            new KernelElement("10.0.0.3", Duration.ofSeconds(3600), Duration.ofSeconds(60)),
            new KernelElement("10.0.0.9", Duration.ofSeconds(3600), Duration.ofSeconds(1200)),
            new KernelElement("10.0.0.8", Duration.ofSeconds(3600), Duration.ofSeconds(1200)));
        final List<ActiveBlock> expired = List.of(block("10.0.0.4", NOW.minusSeconds(5)));

        final ReconcileReport report = Reconciler.plan(journal, kernel, expired, host -> !host.equals("10.0.0.8"), NOW);

        assertThat(report.readded()).containsExactly("10.0.0.1", "10.0.0.3");
        assertThat(report.alreadyCorrect()).containsExactly("10.0.0.2");
        assertThat(report.removed()).containsExactly("10.0.0.9");
        assertThat(report.kept()).as("unknown to the journal: left to its own timeout").containsExactly("10.0.0.8");
        assertThat(report.expired()).containsExactly("10.0.0.4");
        assertThat(report.decisions()).allSatisfy(d -> assertThat(d.source()).isEqualTo(Source.RECONCILE));
        final Decision readd = report.decisions().get(0);
        assertThat(readd.action()).isEqualTo(Action.BLOCK);
        assertThat(readd.expires()).as("the original expiry, not a fresh lifetime").isEqualTo(NOW.plusSeconds(3000));
        assertThat(readd.rule()).isEqualTo("relay-attempts-1m");
        assertThat(report.decisions().get(2).action()).isEqualTo(Action.UNBLOCK);
        assertThat(report.summary()).isEqualTo("reconcile: 2 re-added, 1 removed, 1 expired while down, 1 already correct,"
            + " 1 unaccounted kernel element(s) kept until their timeout [10.0.0.8]");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReAddTheStillActiveBlockWithItsRemainingTimeAfterACrashAndNotTheExpiredOne() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        try (NetnsLab lab = NetnsLab.create())
        {
            final Path journalFile = dir.resolve("blocks.jsonl");
            final Instant longExpiry;
            final Instant shortEnd;
            try (EnforcerService first = service(lab, journalFile))
            {
                first.start();
                longExpiry = first.block(BLOCKED4, Duration.ofSeconds(60), "long").expires();
                // long enough to outlast the checks below on a loaded machine, short enough to end while "down"
                shortEnd = first.block(CLEAN4, Duration.ofSeconds(6), "short").expires();
                first.block(BLOCKED6, Duration.ofSeconds(60), "long, v6");
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
                assertThat(lab.connect(CLEAN4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
            }
            // the crash: a record torn mid-write, then the machine reboots (the kernel sets are gone)
            Files.writeString(journalFile, "{\"event\":\"unblock\",\"ti", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            lab.nftScript("delete table inet egress25\n");
            Thread.sleep(Math.max(0, Duration.between(Instant.now(), shortEnd).toMillis()) + 500);

            try (EnforcerService second = service(lab, journalFile))
            {
                final ReconcileReport report = second.start();

                assertThat(report.applied()).isTrue();
                assertThat(report.readded()).containsExactlyInAnyOrder(BLOCKED4, BLOCKED6);
                assertThat(report.expired()).containsExactly(CLEAN4);
                assertThat(report.removed()).isEmpty();
                final KernelElement element = ((NftablesEnforcer)second.enforcer()).listElements().stream()
                    .filter(e -> e.host().equals(BLOCKED4)).findFirst().orElseThrow();
                final Duration expected = Duration.between(Instant.now(), longExpiry);
                assertThat(element.remaining()).isBetween(expected.minusSeconds(2), expected.plusSeconds(1));
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
                assertThat(lab.connect(BLOCKED6, SERVER6, 25, 5)).isEqualTo(Outcome.REFUSED);
                assertThat(lab.connect(CLEAN4, SERVER4, 25, 5)).isEqualTo(Outcome.OPEN);
                assertThat(second.applied()).containsEntry(
                    new EnforcerService.CounterKey(Action.BLOCK, "manual", Source.RECONCILE), 2L);
            }
            final List<String> lines = Files.readAllLines(journalFile);
            assertThat(lines).as("compacted at start: the blocks in force, and the expired one as a remembered strike")
                .hasSize(3).noneMatch(line -> line.contains("\"ti\""));
            assertThat(lines).filteredOn(line -> line.contains("\"event\":\"strike\"")).singleElement()
                .asString().contains(CLEAN4);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRemoveElementsTheJournalAccountsForAndKeepOnesItCannotExplain() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        try (NetnsLab lab = NetnsLab.create())
        {
            final Path journalFile = dir.resolve("blocks.jsonl");
            try (EnforcerService first = service(lab, journalFile))
            {
                first.start();
                first.block(BLOCKED4, Duration.ofMinutes(30), "abuse desk ticket 4711");
                first.block(BLOCKED6, Duration.ofMinutes(30), "abuse desk ticket 4712");
                first.unblock(BLOCKED6, "customer cleaned the PC");
            }
            lab.nftScript("add element inet egress25 blocked4 { " + CLEAN4 + " timeout 1h }\n"
                + "add element inet egress25 blocked6 { " + BLOCKED6 + " timeout 1h }\n");

            try (EnforcerService second = service(lab, journalFile))
            {
                final ReconcileReport report = second.start();

                assertThat(report.removed()).as("unblocked in the journal").containsExactly(BLOCKED6);
                assertThat(report.kept()).as("never in the journal").containsExactly(CLEAN4);
                assertThat(report.alreadyCorrect()).containsExactly(BLOCKED4);
                assertThat(report.readded()).isEmpty();
                assertThat(second.unaccountedKept()).isEqualTo(1);
                assertThat(lab.connect(BLOCKED6, SERVER6, 25, 5)).isEqualTo(Outcome.OPEN);
                assertThat(lab.connect(CLEAN4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
            }
        }
    }

    /**
     * An empty or freshly mounted state directory in front of a kernel full of blocks: nothing is lifted, every
     * element is kept until its own timeout and reported.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepEveryKernelBlockWhenTheStateDirectoryIsEmpty() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        try (NetnsLab lab = NetnsLab.create())
        {
            try (EnforcerService first = service(lab, dir.resolve("old").resolve("blocks.jsonl")))
            {
                first.start();
                first.block(BLOCKED4, Duration.ofMinutes(30), "ticket 1");
                first.block(BLOCKED6, Duration.ofMinutes(30), "ticket 2");
            }
            try (EnforcerService second = service(lab, dir.resolve("fresh-mount").resolve("blocks.jsonl")))
            {
                final ReconcileReport report = second.start();

                assertThat(report.removed()).isEmpty();
                assertThat(report.kept()).containsExactlyInAnyOrder(BLOCKED4, BLOCKED6);
                assertThat(report.summary()).contains("2 unaccounted kernel element(s) kept until their timeout");
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
                assertThat(lab.connect(BLOCKED6, SERVER6, 25, 5)).isEqualTo(Outcome.REFUSED);
            }
        }
    }

    /**
     * Debian's stock nftables.conf starts with {@code flush ruleset}: the table, its blocks and its class policy
     * are gone. The periodic reconcile must notice, recreate all of it, count the drift, and
     * {@code egress25_enforcer_up} must not claim all is well while the table is missing.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRecreateTheTableAndItsBlocksAfterNftFlushRulesetAndCountTheDrift() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        try (NetnsLab lab = NetnsLab.create();
            EnforcerService service = service(lab, dir.resolve("blocks.jsonl"), Duration.ofSeconds(1)))
        {
            service.start();
            final Instant expires = service.block(BLOCKED4, Duration.ofMinutes(30), "ticket 1").expires();
            service.block(BLOCKED6, Duration.ofDays(7), "ticket 2");
            assertThat(service.up()).isTrue();

            lab.nftScript("flush ruleset\n");
            assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).as("the flush lifted the block").isEqualTo(Outcome.OPEN);

            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (service.drift() < 2 && deadline - System.nanoTime() > 0)
            {
                Thread.sleep(100);
            }
            assertThat(service.drift()).as("both blocks re-added by the periodic reconcile").isEqualTo(2);
            assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
            assertThat(lab.connect(BLOCKED6, SERVER6, 25, 5)).isEqualTo(Outcome.REFUSED);
            final KernelElement element = ((NftablesEnforcer)service.enforcer()).listElements().stream()
                .filter(e -> e.host().equals(BLOCKED4)).findFirst().orElseThrow();
            assertThat(Duration.between(expires, element.expiresAt(Instant.now())).abs()).isLessThan(Duration.ofSeconds(3));
            assertThat(service.up()).isTrue();
            assertThat(lab.nftList("table", "inet", "egress25")).contains("set owner");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReportTheEnforcerDownWhileItsTableIsMissingAndCannotBeRecreated() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        try (NetnsLab lab = NetnsLab.create())
        {
            final Path healthy = dir.resolve("healthy");
            Files.createFile(healthy);
            final NftablesEnforcer enforcer = new NftablesEnforcer(NftablesConfig.builder()
                .nftCommand(List.of(lab.flakyNft(dir, healthy, "netlink: Error: Could not process rule").toString())).build());
            try (EnforcerService service = new EnforcerService(List.of(enforcer),
                BlockJournal.open(dir.resolve("blocks.jsonl"), MEMORY, 1000, Clock.systemUTC()), MEMORY, 100,
                Clock.systemUTC(), Duration.ofSeconds(1)))
            {
                service.start();
                service.block(BLOCKED4, Duration.ofMinutes(30), "ticket 1");
                assertThat(service.up()).isTrue();

                Files.delete(healthy);
                lab.nftScript("flush ruleset\n");
                Await.until(() -> !service.up());
                assertThat(service.store().active(BLOCKED4, Instant.now())).as("still decided, not enforced").isPresent();

                Files.createFile(healthy);
                Await.until(service::up);
                assertThat(lab.connect(BLOCKED4, SERVER4, 25, 5)).isEqualTo(Outcome.REFUSED);
                assertThat(service.drift()).isEqualTo(1);
            }
        }
    }


    /**
     * {@code block H --for 30m}, a restart, then a detector decision for H of 2 min: the block keeps its 30 min,
     * its manual rule and reason, and its strike, in the journal, the store and the kernel.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldOnlyExtendABlockAfterARestartAndKeepTheOperatorsReason() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        try (NetnsLab lab = NetnsLab.create())
        {
            final Path journalFile = dir.resolve("blocks.jsonl");
            final Instant expires;
            try (EnforcerService first = service(lab, journalFile))
            {
                first.start();
                expires = first.block(BLOCKED4, Duration.ofMinutes(30), "abuse desk ticket 4711").expires();
            }
            try (EnforcerService second = service(lab, journalFile))
            {
                second.start();
                second.submit(Decisions.block(BLOCKED4, Instant.now(), Duration.ofMinutes(2)));
                second.submit(Decisions.block(BLOCKED6, Instant.now(), Duration.ofMinutes(2)));
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (second.store().active(BLOCKED6, Instant.now()).isEmpty() && deadline - System.nanoTime() > 0)
                {
                    Thread.sleep(50);
                }
                Thread.sleep(300);   // the batch has reached nft

                final ActiveBlock block = second.store().active(BLOCKED4, Instant.now()).orElseThrow();
                assertThat(block.expires()).isEqualTo(expires);
                assertThat(block.rule()).isEqualTo("manual");
                assertThat(block.reason()).isEqualTo("abuse desk ticket 4711");
                assertThat(block.strikes()).isEqualTo(1);
                final KernelElement element = ((NftablesEnforcer)second.enforcer()).listElements().stream()
                    .filter(e -> e.host().equals(BLOCKED4)).findFirst().orElseThrow();
                assertThat(element.remaining()).as("the kernel timeout was not shortened to 2 min")
                    .isGreaterThan(Duration.ofMinutes(29));
            }
            try (BlockJournal reopened = BlockJournal.open(journalFile, MEMORY, 1000, Clock.systemUTC()))
            {
                final ActiveBlock block = reopened.store().active(BLOCKED4, Instant.now()).orElseThrow();
                assertThat(block.expires()).isEqualTo(expires);
                assertThat(block.reason()).isEqualTo("abuse desk ticket 4711");
            }
        }
    }

    private static EnforcerService service(final NetnsLab lab, final Path journalFile) throws Exception
    {
        return service(lab, journalFile, Duration.ofSeconds(30));
    }

    private static EnforcerService service(final NetnsLab lab, final Path journalFile, final Duration reconcileEvery)
        throws Exception
    {
        final NftablesEnforcer enforcer = new NftablesEnforcer(NftablesConfig.builder().nftCommand(lab.nft()).build());
        return new EnforcerService(List.of(enforcer), BlockJournal.open(journalFile, MEMORY, 1000, Clock.systemUTC()),
            MEMORY, 100, Clock.systemUTC(), reconcileEvery);
    }
}
