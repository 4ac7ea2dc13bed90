package org.egress25.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;
import org.egress25.smtp.SmtpHostSummary;
import org.junit.jupiter.api.Test;

/** What the abuse desk reads: redacted in every format, and each host's status as it stands now. */
class FlaggedHostReportTest
{
    private static final Instant T0 = Instant.parse("2026-11-28T01:00:00Z");
    private static final String REPLY = "554 5.7.1 <john.doe@example.com>: Recipient address rejected: 10.0.3.4 blocked"
        + " using zen.spamhaus.org";

    private static Decision decision(final Instant at, final String host, final Action action, final String rule,
        final String reason, final Instant expires, final Map<String, Object> evidence, final Source source, final int strikes)
    {
        return new Decision(at, host, action, rule, reason, expires, evidence, source, strikes);
    }

    private static FlaggedHostReport report(final Instant asOf, final Decision... decisions)
    {
        final ReportCollector collector = new ReportCollector();
        collector.onDecisions(List.of(decisions));
        final Map<String, Map<String, Object>> smtp = new LinkedHashMap<>();
        smtp.put("10.0.3.4", SmtpReport.redacted(new SmtpHostSummary("10.0.3.4", List.of("smtp-blocklist-reply"), 3,
            Map.of(250, 1L, 554, 2L), List.of("alice.secret@...", "pc-66.dyn.example"), REPLY, 4, 2, 2)));
        return FlaggedHostReport.build(collector.snapshot(), List.of(), smtp,
            Map.of("10.0.3.4", new FlaggedHostReport.HostFacts("residential-dynamic", T0.minusSeconds(600), T0)), asOf);
    }

    private static FlaggedHostReport blocklistCase()
    {
        return report(T0.plusSeconds(60), decision(T0, "10.0.3.4", Action.BLOCK, "smtp-blocklist-reply",
            "10.0.3.4 was refused with a blocklist reply: " + REPLY, T0.plusSeconds(600),
            Map.of("reply", REPLY, "zone", "zen.spamhaus.org"), Source.DETECTOR, 1));
    }

    @Test
    void shouldRedactTheMailboxInABlocklistReplyInEveryFormat() throws Exception
    {
        final FlaggedHostReport report = blocklistCase();
        final String json = report.toJson();
        final Map<String, Object> xarf = Xarf.of(report.toMap(), "10.0.3.4", "abuse@isp.example");
        for (final String output : List.of(json, report.toText(), report.toHtml(), new ObjectMapper().writeValueAsString(xarf)))
        {
            assertThat(output).doesNotContain("john.doe").doesNotContain("alice.secret").contains("j***@example.com")
                .contains("zen.spamhaus.org");
        }
        final var evidence = new ObjectMapper().readTree(json).path("hosts").get(0).path("decisions").get(0).path("evidence");
        assertThat(evidence.path("reply").asText()).isEqualTo(
            "554 5.7.1 <j***@example.com>: Recipient address rejected: 10.0.3.4 blocked using zen.spamhaus.org");
        assertThat(report.toText()).contains("HELO names: a***@..., pc-66.dyn.example");
    }

    @Test
    void shouldShowTheSmtpSummaryAsReadableLinesNotAJavaMap()
    {
        final String text = blocklistCase().toText();

        assertThat(text).contains("  smtp: 3 session(s); rules smtp-blocklist-reply\n")
            .contains("    reply codes: 250 x1 554 x2\n")
            .contains("    recipients: 4 sent, 2 rejected, 2 domain(s)\n")
            .doesNotContain("{rules=").doesNotContain("reply_codes=");
    }

    @Test
    void shouldGiveAHostFlaggedOnlyByAnSmtpRuleItsClassAndFirstSeen() throws Exception
    {
        final var host = new ObjectMapper().readTree(blocklistCase().toJson()).path("hosts").get(0);

        assertThat(host.path("class").asText()).isEqualTo("residential-dynamic");
        assertThat(host.path("first_seen").asText()).isEqualTo(T0.minusSeconds(600).toString());
        assertThat(host.path("first_flagged").asText()).isEqualTo(T0.toString());
        assertThat(host.path("strikes").get(0).path("strike").asInt()).isEqualTo(1);
    }

    @Test
    void shouldNotHeadAnUnblockedHostBlock()
    {
        final FlaggedHostReport report = report(T0.plusSeconds(120),
            decision(T0, "10.0.3.4", Action.BLOCK, "manual", "AR-99 [by alice (uid 1001)]", T0.plusSeconds(7200), Map.of(),
                Source.MANUAL, 1),
            decision(T0.plusSeconds(60), "10.0.3.4", Action.UNBLOCK, "manual", "INC-1 cleaned", null, Map.of(),
                Source.MANUAL, 1));

        assertThat(report.toText()).contains("10.0.3.4  UNBLOCKED at " + T0.plusSeconds(60)).doesNotContain("  BLOCK\n")
            .doesNotContain("BLOCKED until");
        assertThat(report.toMap().toString()).contains("status=unblocked");
    }

    @Test
    void shouldSayABlockExpiredOnceItsTimeIsPast()
    {
        final FlaggedHostReport report = report(T0.plusSeconds(7200), decision(T0, "10.0.3.4", Action.BLOCK, "manual", "x",
            T0.plusSeconds(600), Map.of(), Source.MANUAL, 1));

        assertThat(report.toText()).contains("10.0.3.4  BLOCK EXPIRED at " + T0.plusSeconds(600));
    }

    @Test
    void shouldExportOneHostAsXarfForTicketSystems()
    {
        final Map<String, Object> xarf = Xarf.of(blocklistCase().toMap(), "10.0.3.4", "abuse@isp.example");

        assertThat(xarf).containsEntry("Version", "4");
        @SuppressWarnings("unchecked")
        final Map<String, Object> report = (Map<String, Object>)xarf.get("Report");
        assertThat(report).containsEntry("ReportClass", "Activity").containsEntry("ReportType", "Spam")
            .containsEntry("Source", "10.0.3.4").containsEntry("SourceType", "ipv4").containsEntry("Ongoing", true)
            .containsEntry("FirstSeen", T0.toString());
        assertThat(report.get("Samples").toString()).contains("smtp-blocklist-reply");
    }
}
