package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.egress25.decision.Decision;
import org.junit.jupiter.api.Test;

/**
 * Replies tied to commands under deep pipelining (RFC 2920: the server answers in order): a bot that sends
 * thousands of commands before reading a reply must not hide its rejections.
 */
class PipeliningTest
{
    private final Harness harness = new Harness();
    private final Wire wire = harness.wire;

    private static byte[] repeat(final String line, final int times)
    {
        return line.repeat(times).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldAttributeEveryRejectionOfFiftyThousandPipelinedRecipients()
    {
        final Wire.Conn c = wire.connect("10.0.0.5", 40_000, "192.0.2.1", 25);
        c.server("220 mx ESMTP\r\n").client("EHLO bot.example\r\n").server("250-mx\r\n250 PIPELINING\r\n");
        c.client("MAIL FROM:<x@bot.example>\r\n");
        c.clientSplit(repeat("RCPT TO:<someone@victim.example>\r\n", 50_000), 1_400);
        c.server("250 ok\r\n");
        c.serverSplit(repeat("550 5.1.1 user unknown\r\n", 50_000), 1_400);
        c.client("QUIT\r\n").server("221 bye\r\n").finBoth();
        final SessionRecord r = harness.records.get(0);
        assertThat(r.recipients()).isEqualTo(50_000);
        assertThat(r.recipientsRejected()).isEqualTo(50_000);
        assertThat(r.recipientsUnknown()).isEqualTo(50_000);
        assertThat(r.transactions().get(0).rcptRejected()).isEqualTo(50_000);
        assertThat(r.anomalies()).doesNotContainKeys("pipeline_overflow", "unsolicited_reply", "unattributed_reply");
        assertThat(r.endReason()).isEqualTo("quit");
        assertThat(harness.decisions).extracting(Decision::rule).contains("smtp-directory-harvest");
    }

    @Test
    void shouldCountRepliesToCommandsBeyondTheQueueInOrderAndAsRefusals()
    {
        final Wire.Conn c = wire.connect("10.0.0.6", 40_001, "192.0.2.1", 25);
        c.server("220 mx ESMTP\r\n").client("EHLO bot.example\r\n").server("250 mx\r\n");
        // 1,000 commands that alternate, so no two in a row can share a queue entry.
        c.client("MAIL FROM:<x@bot.example>\r\n").clientSplit(repeat("NOOP\r\nRCPT TO:<a@victim.example>\r\n", 500), 1_400);
        c.server("250 ok\r\n").serverSplit(repeat("250 ok\r\n554 5.7.1 go away\r\n", 500), 1_400);
        // The queue has drained: a later command is itemised again.
        c.client("RSET\r\n").server("250 reset\r\n").client("QUIT\r\n").server("221 bye\r\n").finBoth();
        final SessionRecord r = harness.records.get(0);
        final SmtpLimits limits = SmtpLimits.defaults();
        // MAIL takes one queue entry and the last keeps the place of the lost: the rest are itemised.
        final int itemised = limits.maxPipelined() - 2;
        assertThat(r.anomalies().get("pipeline_overflow")).isEqualTo(1_000 - itemised);
        assertThat(r.anomalies().get("unattributed_reply")).isEqualTo(1_000 - itemised);
        assertThat(r.anomalies()).doesNotContainKey("unsolicited_reply");
        assertThat(r.recipientsRejected()).isEqualTo(itemised / 2);
        assertThat(r.earlyRejection()).as("the lost commands' 554s still refuse the session").isTrue();
        assertThat(r.endReason()).isEqualTo("quit");
        assertThat(r.replies(2)).as("220, EHLO, MAIL, 500 NOOPs, RSET, QUIT").isEqualTo(1 + 1 + 1 + 500 + 1 + 1);
    }
}
