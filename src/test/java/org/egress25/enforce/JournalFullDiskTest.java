package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.decision.JsonLines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory on a 64 KiB tmpfs that fills up, as in the report: a write that fails must leave the
 * journal readable, an operator's block that could not be journalled is not made, and a detector's decision is
 * held and written once there is room again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalFullDiskTest
{
    private static final Duration MEMORY = Duration.ofDays(7);

    @TempDir
    Path dir;

    private Path state;
    private boolean mounted;

    @BeforeEach
    void mountSmallTmpfs() throws Exception
    {
        assumeTrue(NetnsLab.available(), "needs root to mount a tmpfs");
        state = Files.createDirectories(dir.resolve("state"));
        NetnsLab.sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", state.toString());
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (mounted)
        {
            NetnsLab.sh("umount", "-l", state.toString());
        }
    }

    /** Fills the file system to the last byte; deleting the returned file frees it again. */
    private Path fill() throws IOException
    {
        final Path filler = state.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler))
        {
            final byte[] chunk = new byte[512];
            while (true)
            {
                out.write(chunk);
                out.flush();
            }
        }
        catch (final IOException e)
        {
            assertThat(e.getMessage()).contains("No space left");
        }
        return filler;
    }

    @Test
    void shouldLeaveTheJournalReadableWhenAppendsFailOnAFullDiskAndLoseNothingItAcknowledged() throws Exception
    {
        final Path file = state.resolve("blocks.jsonl");
        final Instant now = Instant.now();
        final Path filler;
        try (BlockJournal journal = BlockJournal.open(file, MEMORY, 1000, Clock.systemUTC()))
        {
            journal.record(List.of(Decisions.block("10.0.0.1", now, Duration.ofHours(1))));
            journal.record(List.of(Decisions.block("10.0.0.2", now, Duration.ofHours(1))));
            filler = fill();
            int failed = 0;
            for (int i = 0; i < 24; i++)
            {
                try
                {
                    journal.record(List.of(Decisions.block("10.0.1." + (i + 1), now, Duration.ofHours(1))));
                }
                catch (final IOException e)
                {
                    failed++;
                }
            }
            assertThat(failed).as("writes that failed on the full disk").isPositive();
            assertThat(journal.store().active("10.0.1.24", now)).as("a failed write is not in the store").isEmpty();
            assertThat(JsonLines.read(file).damage()).as("no torn fragment left behind").isEmpty();
            Files.delete(filler);
            journal.record(List.of(Decisions.block("10.0.0.3", now, Duration.ofHours(1))));
            journal.record(List.of(Decisions.block("10.0.0.4", now, Duration.ofHours(1))));
        }

        try (BlockJournal journal = BlockJournal.open(file, MEMORY, 1000, Clock.systemUTC()))
        {
            assertThat(journal.damage()).isEmpty();
            assertThat(journal.store().active("10.0.0.1", now)).isPresent();
            assertThat(journal.store().active("10.0.0.2", now)).isPresent();
            assertThat(journal.store().active("10.0.0.3", now)).isPresent();
            assertThat(journal.store().active("10.0.0.4", now)).isPresent();
        }
    }

    @Test
    void shouldRefuseAManualBlockItCannotJournalAndHoldADetectorBlockUntilThereIsRoom() throws Exception
    {
        final Path file = state.resolve("blocks.jsonl");
        final BlockJournal journal = BlockJournal.open(file, MEMORY, 1000, Clock.systemUTC());
        final List<String> made = new java.util.ArrayList<>(List.of("10.0.0.1"));
        try (EnforcerService service = new EnforcerService(List.of(new NoopEnforcer()), journal, MEMORY, 100,
            Clock.systemUTC(), Duration.ofSeconds(30)))
        {
            service.start();
            service.block("10.0.0.1", Duration.ofHours(1), "made before the disk filled");
            final Path filler = fill();
            final List<String> refused = new java.util.ArrayList<>();
            for (int i = 1; i <= 24; i++)
            {
                final String host = "10.0.1." + i;
                try
                {
                    service.block(host, Duration.ofHours(1), "ticket " + i);
                    made.add(host);
                }
                catch (final EnforcerService.NotRecorded e)
                {
                    assertThat(e).hasMessageContaining("block of " + host + " NOT made").hasMessageContaining("cannot be written");
                    refused.add(host);
                }
            }
            assertThat(refused).as("blocks the full disk could not journal").isNotEmpty();
            for (final String host : refused)
            {
                assertThat(service.store().active(host, Instant.now())).as(host + " is not listed as blocked").isEmpty();
            }
            assertThat(service.journalErrors()).isEqualTo(refused.size());
            assertThatThrownBy(() -> service.block("10.0.0.2", Duration.ofHours(1), "one more"))
                .isInstanceOf(EnforcerService.NotRecorded.class);

            service.submit(Decisions.block("10.0.0.3", Instant.now(), Duration.ofHours(1)));
            Await.until(() -> service.journalUnwritten() == 1);
            assertThat(service.store().active("10.0.0.3", Instant.now())).as("a detector block is still enforced")
                .isPresent();

            Files.delete(filler);
            Await.until(() -> service.journalRetried() == 1);
            assertThat(service.journalUnwritten()).isZero();
            made.add("10.0.0.3");
        }
        try (BlockJournal reopened = BlockJournal.open(file, MEMORY, 1000, Clock.systemUTC()))
        {
            assertThat(reopened.damage()).isEmpty();
            assertThat(reopened.store().activeBlocks(Instant.now())).extracting(ActiveBlock::host)
                .containsExactlyInAnyOrderElementsOf(made);
        }
    }

    @Test
    void shouldKeepTheDecisionsLogWholeOnAFullDiskAndWriteWhatFailedOnceThereIsRoom() throws Exception
    {
        final Path file = state.resolve("decisions.jsonl");
        final org.egress25.decision.DecisionLog log = org.egress25.decision.DecisionLog.toFile(file);
        final Instant now = Instant.now();
        log.onDecisions(List.of(Decisions.block("10.0.0.1", now, Duration.ofHours(1)),
            Decisions.block("10.0.0.2", now, Duration.ofHours(1))));
        final Path filler = fill();
        for (int i = 1; i <= 24; i++)
        {
            log.onDecisions(List.of(Decisions.alert("10.0.1." + i, now)));
        }
        assertThat(log.errors()).as("failed writes are counted, not thrown").isPositive();
        assertThat(JsonLines.read(file).damage()).as("no torn fragment left behind").isEmpty();
        Files.delete(filler);
        log.onDecisions(List.of(Decisions.block("10.0.0.3", now, Duration.ofHours(1)),
            Decisions.block("10.0.0.4", now, Duration.ofHours(1))));
        log.onClose();

        final JsonLines.Contents contents = JsonLines.read(file);
        assertThat(contents.damage()).isEmpty();
        assertThat(contents.lines()).as("every decision, the held ones included").hasSize(28);
        assertThat(log.held()).isZero();
    }

}
