package org.egress25.cli.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class LogFormatTest
{
    private static final Instant TIME = Instant.parse("2026-12-04T01:50:00.123Z");
    private static final String LOGGER = "org.egress25.enforce.EnforcerService";

    @Test
    void journalLinesCarryThePriorityAndNoTimestampOnEveryLineOfAStackTrace()
    {
        final String out = LogFormat.JOURNAL.format(TIME, Level.ERROR, LOGGER, "nft failed: exit 1",
            new IllegalStateException("table busy"));

        final String[] lines = out.split("\n");
        assertThat(lines[0]).isEqualTo("<3>EnforcerService: nft failed: exit 1");
        assertThat(lines[1]).isEqualTo("<3>java.lang.IllegalStateException: table busy");
        assertThat(lines.length).isGreaterThan(2);
        assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("<3>"));
        assertThat(out).endsWith("\n").doesNotContain("2026").doesNotContain("\n\n");
    }

    @Test
    void journalPrioritiesAreSyslogsForEachLevel()
    {
        assertThat(LogFormat.JOURNAL.format(TIME, Level.WARN, LOGGER, "a", null)).isEqualTo("<4>EnforcerService: a\n");
        assertThat(LogFormat.JOURNAL.format(TIME, Level.INFO, LOGGER, "a", null)).startsWith("<6>");
        assertThat(LogFormat.JOURNAL.format(TIME, Level.DEBUG, LOGGER, "a", null)).startsWith("<7>");
        assertThat(LogFormat.JOURNAL.format(TIME, Level.TRACE, LOGGER, "a", null)).startsWith("<7>");
    }

    @Test
    void aMultiLineMessageKeepsItsPriorityOnEveryJournalLine()
    {
        assertThat(LogFormat.JOURNAL.format(TIME, Level.WARN, LOGGER, "rules refused:\nnetworks.yaml:3:5: bad", null))
            .isEqualTo("<4>EnforcerService: rules refused:\n<4>networks.yaml:3:5: bad\n");
    }

    @Test
    void jsonIsOneParseableObjectPerRecordWithTheStackTraceInside() throws Exception
    {
        final String out = LogFormat.JSON.format(TIME, Level.WARN, LOGGER, "quote \" and\nnewline \u0001",
            new RuntimeException("boom"));

        assertThat(out).endsWith("}\n");
        assertThat(out.substring(0, out.length() - 1)).doesNotContain("\n");
        final JsonNode record = new ObjectMapper().readTree(out);
        assertThat(record.get("time").asText()).isEqualTo("2026-12-04T01:50:00.123Z");
        assertThat(record.get("level").asText()).isEqualTo("WARN");
        assertThat(record.get("priority").asInt()).isEqualTo(4);
        assertThat(record.get("logger").asText()).isEqualTo(LOGGER);
        assertThat(record.get("message").asText()).isEqualTo("quote \" and\nnewline \u0001");
        assertThat(record.get("exception").asText()).startsWith("java.lang.RuntimeException: boom\n\tat ");
    }

    @Test
    void textKeepsTheTimeTheLevelAndTheShortLoggerName()
    {
        assertThat(LogFormat.TEXT.format(TIME, Level.INFO, LOGGER, "started", null))
            .isEqualTo("2026-12-04T01:50:00.123Z INFO  EnforcerService - started\n");
    }

    @Test
    void journalIsDetectedOnlyWhenJournalStreamNamesThisProcesssStandardError() throws Exception
    {
        final Path stderr = Path.of("/proc/self/fd/2");
        final String own = Files.getAttribute(stderr, "unix:dev") + ":" + Files.getAttribute(stderr, "unix:ino");

        assertThat(LogFormat.detect(Map.of("JOURNAL_STREAM", own))).isEqualTo(LogFormat.JOURNAL);
        assertThat(LogFormat.detect(Map.of("JOURNAL_STREAM", "8:99999999"))).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.detect(Map.of())).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.parse("auto", Map.of())).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.parse("JSON", Map.of())).isEqualTo(LogFormat.JSON);
        assertThatThrownBy(() -> LogFormat.parse("syslog", Map.of()))
            .hasMessage("--log-format must be auto, text, journal or json, got 'syslog'");
    }

    @Test
    void logLevelComesFromTheEnvironmentWithInfoByDefault()
    {
        assertThat(LogSettings.threshold(null)).isEqualTo(Level.INFO.toInt());
        assertThat(LogSettings.threshold(" debug ")).isEqualTo(Level.DEBUG.toInt());
        assertThat(LogSettings.threshold("warn")).isEqualTo(Level.WARN.toInt());
    }
}
