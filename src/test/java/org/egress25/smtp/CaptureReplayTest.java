package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Replays every shared capture; prints the session log so a person can read what was understood. */
class CaptureReplayTest
{
    /** A replay's outcome: the harness that ran it (sessions, decisions, log) and the packet count. */
    record Run(Harness harness, int packets)
    {
        List<SessionRecord> sessions()
        {
            return harness.records;
        }

        SmtpAnalyser analyser()
        {
            return harness.analyser;
        }
    }

    static Run replay(final Path file) throws IOException
    {
        final Harness harness = new Harness();
        return new Run(harness, TestCapture.replay(file, harness.policy, harness.analyser));
    }

    static List<Path> allCaptures() throws IOException
    {
        try (Stream<Path> files = Files.walk(TestCapture.captures()))
        {
            return files.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches(".*\\.(pcap|pcapng)(\\.gz)?$")).sorted().toList();
        }
    }

    @Test
    void shouldReplayEveryCaptureWithoutThrowingAndLeaveNothingOpen() throws IOException
    {
        for (final Path file : allCaptures())
        {
            final Run run = replay(file);
            System.out.println("=== " + TestCapture.captures().relativize(file) + " packets=" + run.packets());
            System.out.print(run.harness().logText());
            assertThat(run.analyser().openSessions()).as(file.toString()).isZero();
        }
    }
}
