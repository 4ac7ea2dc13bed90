package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A separate egress25 enforcer process (journal + nftables in a lab namespace) under a storm of blocks and
 * unblocks, killed with SIGKILL at random moments; after each restart the kernel set must hold exactly the
 * journal's active blocks, each with its remaining lifetime. The same child serves as the "first instance"
 * that a second one, with another journal, must not disturb.
 */
class KillNineSweepTest
{
    private static final Duration MEMORY = Duration.ofDays(30);
    private static final int ROUNDS = 10;

    @TempDir
    Path dir;

    private NetnsLab lab;

    @BeforeEach
    void createLab() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root, ip, nft and python3");
        lab = NetnsLab.create();
    }

    @AfterEach
    void removeLab()
    {
        if (lab != null)
        {
            lab.close();
        }
    }

    /**
     * The child: {@code JOURNAL ROUTER-NAMESPACE}. Starts the service, prints "ready", then submits detector
     * blocks (1 to 20 min) and unblocks of 200 hosts as fast as the enforcer thread takes them.
     */
    public static void main(final String[] args) throws Exception
    {
        final NftablesEnforcer enforcer = new NftablesEnforcer(NftablesConfig.builder()
            .nftCommand(List.of("ip", "netns", "exec", args[1], "nft")).build());
        final EnforcerService service = new EnforcerService(List.of(enforcer),
            BlockJournal.open(Path.of(args[0]), MEMORY, 200, Clock.systemUTC()), MEMORY, 4096, Clock.systemUTC(),
            Duration.ofSeconds(30));
        service.start();
        System.out.println("ready");
        System.out.flush();
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true)
        {
            final String host = "10.251." + random.nextInt(2) + "." + (random.nextInt(100) + 1);
            final Instant now = Instant.now();
            final Decision decision = random.nextInt(5) == 0
                ? new Decision(now, host, Action.UNBLOCK, "manual", "storm unblock", null, Map.of(), Source.MANUAL, 0)
                : Decisions.block(host, now, Duration.ofMinutes(1 + random.nextInt(20)));
            if (!service.submit(decision))
            {
                Thread.sleep(1);
            }
        }
    }

    private Process startChild(final Path journal) throws Exception
    {
        final Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
            KillNineSweepTest.class.getName(), journal.toString(), lab.router)
            .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child-stderr.txt").toFile())).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("child started; its stderr: %s", new Object()
        {
            @Override
            public String toString()
            {
                try
                {
                    return java.nio.file.Files.readString(dir.resolve("child-stderr.txt"));
                }
                catch (final java.io.IOException e)
                {
                    return e.toString();
                }
            }
        }).isEqualTo("ready");
        return child;
    }

    private EnforcerService service(final Path journal) throws Exception
    {
        final NftablesEnforcer enforcer = new NftablesEnforcer(NftablesConfig.builder().nftCommand(lab.nft()).build());
        return new EnforcerService(List.of(enforcer), BlockJournal.open(journal, MEMORY, 200, Clock.systemUTC()), MEMORY,
            100, Clock.systemUTC(), Duration.ofSeconds(30));
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldLeaveTheKernelSetEqualToTheJournalsActiveBlocksAfterEachKillMinus9DuringABlockStorm() throws Exception
    {
        final Path journal = dir.resolve("blocks.jsonl");
        final List<Integer> blocksAfterEachRound = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++)
        {
            final Process child = startChild(journal);
            Thread.sleep(ThreadLocalRandom.current().nextLong(200, 1500));
            child.destroyForcibly();   // SIGKILL, at a random point of the storm
            child.waitFor(10, TimeUnit.SECONDS);

            try (EnforcerService restarted = service(journal))
            {
                final ReconcileReport report = restarted.start();
                assertThat(report.applied()).as("round " + round + ": " + report.summary()).isTrue();
                final Instant now = Instant.now();
                final Map<String, Instant> wanted = new TreeMap<>();
                restarted.store().activeBlocks(now).forEach(b -> wanted.put(b.host(), b.expires()));
                final Map<String, Instant> kernel = new TreeMap<>();
                ((NftablesEnforcer)restarted.enforcer()).listElements().forEach(e -> kernel.put(e.host(), e.expiresAt(now)));

                assertThat(kernel.keySet()).as("round %d: kernel set vs journal (%s)", round, report.summary())
                    .isEqualTo(wanted.keySet());
                for (final Map.Entry<String, Instant> e : wanted.entrySet())
                {
                    assertThat(Duration.between(e.getValue(), kernel.get(e.getKey())).abs())
                        .as("round %d: lifetime of %s", round, e.getKey()).isLessThanOrEqualTo(Duration.ofSeconds(3));
                }
                blocksAfterEachRound.add(wanted.size());
            }
        }
        System.out.println("kill -9 sweep: active blocks after each of " + ROUNDS + " restarts: " + blocksAfterEachRound);
        assertThat(blocksAfterEachRound).as("the storm made blocks").anyMatch(n -> n > 0);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseASecondInstanceWithAnotherStateDirAndLeaveTheFirstOnesBlocksAlone() throws Exception
    {
        final Process first = startChild(dir.resolve("first").resolve("blocks.jsonl"));
        try
        {
            Thread.sleep(500);   // some blocks in the kernel
            final NftablesEnforcer probe = new NftablesEnforcer(NftablesConfig.builder().nftCommand(lab.nft()).build());
            assertThat(probe.listElements()).isNotEmpty();

            try (EnforcerService second = service(dir.resolve("second").resolve("blocks.jsonl")))
            {
                assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is owned by another running egress25 (pid " + first.pid() + ")")
                    .hasMessageContaining("whatever its --state-dir");
            }
            assertThat(first.isAlive()).isTrue();
            // the second one's refusal removed nothing: the first one's elements only grow or change by its own hand
            final List<KernelElement> after = probe.listElements();
            assertThat(after).as("the first instance's blocks are still there").isNotEmpty();
        }
        finally
        {
            first.destroyForcibly();
            first.waitFor(10, TimeUnit.SECONDS);
        }

        try (EnforcerService third = service(dir.resolve("second").resolve("blocks.jsonl")))
        {
            assertThat(third.start().applied()).as("the owner is dead: the table may be taken over").isTrue();
        }
    }
}
