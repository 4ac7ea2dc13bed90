package org.egress25.cli.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * egress25 started as a separate JVM, its standard error a file, as systemd would hand it a journal stream:
 * with {@code JOURNAL_STREAM} naming that file every line (pcap4j's own too) is a journal record, with
 * {@code --log-format json} a JSON object, and on a plain terminal the error reads exactly as before.
 */
class DaemonLogLinesTest
{
    /** {@code run} on an interface that does not exist: a configuration error before anything starts. */
    private static final String NO_SUCH_INTERFACE = "e25-no-such0";

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailureUnderTheJournalStreamIsOneErrorRecordWithoutATimestamp(@TempDir final Path dir) throws Exception
    {
        final Path stderr = dir.resolve("stderr");
        Files.createFile(stderr);
        final String stream = Files.getAttribute(stderr, "unix:dev") + ":" + Files.getAttribute(stderr, "unix:ino");

        final int exit = egress25(stderr, stream, "run", "-i", NO_SUCH_INTERFACE, "--state-dir", dir.toString());

        final String out = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(2);
        assertThat(out).doesNotContainPattern("\\d{4}-\\d\\d-\\d\\dT");
        assertThat(out.lines()).allSatisfy(line -> assertThat(line).matches("<[3-7]>.*"))
            .contains("<3>egress25: cannot capture on " + NO_SUCH_INTERFACE + ": No such device exists");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jsonFormatMakesTheFailureAParseableRecord(@TempDir final Path dir) throws Exception
    {
        final Path stderr = dir.resolve("stderr");

        final int exit = egress25(stderr, null, "--log-format", "json", "run", "-i", NO_SUCH_INTERFACE, "--state-dir", dir.toString());

        final List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(2);
        final ObjectMapper json = new ObjectMapper();
        final List<JsonNode> records = new ArrayList<>();
        for (final String line : lines)
        {
            records.add(json.readTree(line));
        }
        assertThat(records).anySatisfy(record ->
        {
            assertThat(record.get("level").asText()).isEqualTo("ERROR");
            assertThat(record.get("priority").asInt()).isEqualTo(3);
            assertThat(record.get("logger").asText()).isEqualTo("egress25");
            assertThat(record.get("message").asText()).isEqualTo("cannot capture on " + NO_SUCH_INTERFACE + ": No such device exists");
        });
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTerminalStillGetsThePlainMessage(@TempDir final Path dir) throws Exception
    {
        final Path stderr = dir.resolve("stderr");

        final int exit = egress25(stderr, "0:0", "run", "-i", NO_SUCH_INTERFACE, "--state-dir", dir.toString());

        assertThat(exit).isEqualTo(2);
        assertThat(Files.readAllLines(stderr, StandardCharsets.UTF_8))
            .contains("egress25: cannot capture on " + NO_SUCH_INTERFACE + ": No such device exists");
    }

    private static int egress25(final Path stderr, final String journalStream, final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            // as the launcher and the jar's manifest do: JNA's native access is expected, not a warning for users
            "--enable-native-access=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), "org.egress25.cli.Main"));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectError(stderr.toFile())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove("JOURNAL_STREAM");
        if (journalStream != null)
        {
            builder.environment().put("JOURNAL_STREAM", journalStream);
        }
        final Process process = builder.start();
        if (!process.waitFor(50, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("egress25 did not exit");
        }
        return process.exitValue();
    }
}
