package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.policy.Policy;
import org.junit.jupiter.api.Test;

/** Replays every shared capture; prints the session log so a person can read what was understood. */
class CaptureReplayTest
{
    static final class Run
    {
        final List<SessionRecord> sessions = new ArrayList<>();
        final List<Decision> decisions = new ArrayList<>();
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        SmtpAnalyser analyser;
        int packets;

        String logText()
        {
            return log.toString(StandardCharsets.UTF_8);
        }
    }

    static Run replay(final Path file) throws IOException
    {
        final Run run = new Run();
        final Policy policy = TestCapture.policy();
        final Verdicts verdicts = new Verdicts(run.decisions::add, policy.ladder());
        final SessionLogWriter writer = new SessionLogWriter(run.log, false);
        run.analyser = new SmtpAnalyser(() -> policy, verdicts, s ->
        {
            run.sessions.add(s);
            writer.accept(s);
        }, SmtpLimits.defaults());
        run.packets = TestCapture.replay(file, policy, run.analyser);
        writer.flush();
        return run;
    }

    static List<Path> allCaptures() throws IOException
    {
        try (Stream<Path> files = Files.walk(TestCapture.CAPTURES))
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
            System.out.println("=== " + TestCapture.CAPTURES.relativize(file) + " packets=" + run.packets);
            System.out.print(run.logText());
            assertThat(run.analyser.openSessions()).as(file.toString()).isZero();
        }
    }
}
