package org.egress25.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;
import org.egress25.decision.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions log read back into the report at start: what it holds returns, a torn line costs only itself. */
class ReportHistoryTest
{
    private static final Instant T0 = Instant.parse("2026-11-28T01:00:00Z");

    @TempDir
    Path dir;

    private static String line(final String host, final Action action, final int minute)
    {
        return DecisionJson.toJson(new Decision(T0.plusSeconds(60L * minute), host, action, "manual", "AR-" + minute,
            action == Action.BLOCK ? T0.plusSeconds(3600) : null, Map.of(), Source.MANUAL, 1));
    }

    @Test
    void shouldRestoreEveryReadableDecisionAndSkipATornLine() throws Exception
    {
        final Path log = Files.writeString(dir.resolve("decisions.jsonl"), String.join("\n",
            line("10.0.3.4", Action.BLOCK, 0), "{\"time\":\"2026-11-28T01:0", line("10.0.3.5", Action.ALERT, 1),
            line("10.0.3.4", Action.UNBLOCK, 2), ""));
        final ReportCollector collector = new ReportCollector();

        assertThat(ReportHistory.restore(log, collector)).isEqualTo(3);

        assertThat(collector.snapshot()).extracting(ReportCollector.HostDecisions::host).containsExactly("10.0.3.4", "10.0.3.5");
        assertThat(collector.snapshot().get(0).decisions()).extracting(Decision::action)
            .containsExactly(Action.BLOCK, Action.UNBLOCK);
    }

    @Test
    void shouldRestoreNothingWithoutALog() throws Exception
    {
        final ReportCollector collector = new ReportCollector();

        assertThat(ReportHistory.restore(dir.resolve("missing.jsonl"), collector)).isZero();
        assertThat(collector.snapshot()).isEmpty();
    }
}
