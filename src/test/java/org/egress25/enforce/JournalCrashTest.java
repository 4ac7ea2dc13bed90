package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a process in the middle of journalling blocks: every block it acknowledged (reported
 * after {@link BlockJournal#record} returned) must be there when the journal is opened again.
 */
class JournalCrashTest
{
    private static final Duration MEMORY = Duration.ofDays(7);

    @TempDir
    Path dir;

    /** The process that gets killed: journals blocks as fast as it can and prints each one it has made durable. */
    public static void main(final String[] args) throws Exception
    {
        try (BlockJournal journal = BlockJournal.open(Path.of(args[0]), MEMORY, 50, Clock.systemUTC()))
        {
            for (int i = 0; ; i++)
            {
                final String host = "10.252." + (i / 250 % 250) + "." + (i % 250 + 1);
                journal.record(List.of(Decisions.block(host, Instant.now(), Duration.ofHours(1))));
                System.out.println(host);
                System.out.flush();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepEveryAcknowledgedBlockWhenTheProcessIsKilledMidWrite() throws Exception
    {
        final Path file = dir.resolve("blocks.jsonl");
        final Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            JournalCrashTest.class.getName(), file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String lastAcknowledged = null;
        int acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            // past the compaction threshold of 50 twice, so a kill can also land in or after a compaction
            while (acknowledged < 130)
            {
                lastAcknowledged = out.readLine();
                assertThat(lastAcknowledged).as("child ended early").isNotNull();
                acknowledged++;
            }
            child.destroyForcibly();   // SIGKILL: no shutdown hooks, no close
            child.waitFor(10, TimeUnit.SECONDS);
        }

        try (BlockJournal journal = BlockJournal.open(file, MEMORY, 50, Clock.systemUTC()))
        {
            final BlockStore store = journal.store();
            assertThat(store.activeBlocks(Instant.now()).size()).isGreaterThanOrEqualTo(acknowledged);
            assertThat(store.active(lastAcknowledged, Instant.now())).isPresent();
            assertThat(store.active("10.252.0.1", Instant.now())).isPresent();
            assertThat(journal.replayStats().skipped()).isLessThanOrEqualTo(1);
        }
    }
}
