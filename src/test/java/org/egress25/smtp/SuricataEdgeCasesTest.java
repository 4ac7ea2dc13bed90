package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The suricata-verify SMTP edge cases: RSET, nested MAIL, pipelining, BDAT, no HELO, long lines, STARTTLS.
 * Suricata's own expectations are about its eve.json and alerts, not comparable field by field; what is
 * asserted here is that each gives a sensible session record with the anomalies counted.
 */
class SuricataEdgeCasesTest
{
    private static SessionRecord only(final String capture) throws IOException
    {
        final CaptureReplayTest.Run run = CaptureReplayTest.replay(TestCapture.captures().resolve("suricata-verify").resolve(capture));
        assertThat(run.sessions()).as(capture).hasSize(1);
        return run.sessions().get(0);
    }

    @Test
    void shouldTieRepliesToPipelinedCommandsWhenBodyFollowsDataWithoutWaiting() throws IOException
    {
        final SessionRecord s = only("smtp-pipelining/input.pcap");
        assertThat(s.transactions()).singleElement().satisfies(t ->
        {
            assertThat(t.mailFrom()).isEqualTo("username@domain.com");
            assertThat(t.rcptTo()).containsExactly("john.doe@example.com");
            assertThat(t.data()).isEqualTo("accepted");
            assertThat(t.lastReply()).isEqualTo("250 2.0.0 Ok: queued as BCB022014FB060");
        });
        assertThat(s.anomalies()).isEmpty();
    }

    @Test
    void shouldSplitTransactionsAtRsetAndCountBdatChunks() throws IOException
    {
        final SessionRecord s = only("smtp-rset/input.pcap");
        assertThat(s.transactions()).hasSize(2).allSatisfy(t -> assertThat(t.data()).isEqualTo("accepted"));
        assertThat(s.transactions()).extracting(SessionRecord.Transaction::dataBytes).containsExactly(11L, 13L);
    }

    @Test
    void shouldCountNestedMailAndKeepBothTransactions() throws IOException
    {
        final SessionRecord s = only("firewall/ruletype-firewall-132-smtp-nested-mail-from/smtp-nested-mail.pcap");
        assertThat(s.anomaly(Anomaly.NESTED_MAIL)).isEqualTo(1);
        assertThat(s.transactions()).extracting(SessionRecord.Transaction::mailFrom)
            .containsExactly("alice@example.com", "bob@example.com");
        assertThat(s.transactions().get(1).data()).isEqualTo("accepted");
    }

    @Test
    void shouldCountRecipientBeforeMailAsOutOfOrder() throws IOException
    {
        final SessionRecord s = only("firewall/ruletype-firewall-133-smtp-out-of-order-commands/smtp-out-of-order.pcap");
        assertThat(s.anomaly(Anomaly.OUT_OF_ORDER)).isEqualTo(1);
        assertThat(s.transactions().get(0).mailFrom()).isNull();
        assertThat(s.transactions().get(0).rcptRejected()).isEqualTo(1);
        assertThat(s.transactions().get(1).data()).isEqualTo("accepted");
    }

    @Test
    void shouldRecordSessionsWithoutHeloAsHavingNone() throws IOException
    {
        final SessionRecord quit = only("smtp-no-helo-quit/input.pcap");
        assertThat(quit.helo()).isNull();
        assertThat(quit.transactions()).isEmpty();
        assertThat(quit.endReason()).isEqualTo("quit");
        final SessionRecord rset = only("smtp-no-helo-rset/input.pcap");
        assertThat(rset.helo()).isNull();
        assertThat(rset.replies(2)).isEqualTo(2);
    }

    @Test
    void shouldCountOverlongLinesAndKeepParsing() throws IOException
    {
        final SessionRecord s = only("smtp-long-command/input.pcap");
        assertThat(s.anomaly(Anomaly.LINE_TOO_LONG)).isEqualTo(1);
        assertThat(s.helo()).startsWith("OBLAH").hasSizeLessThanOrEqualTo(SmtpLimits.HELO_TEXT);
        assertThat(s.authAttempts()).isEqualTo(1);
        assertThat(s.replies(3)).isEqualTo(2);
    }

    @Test
    void shouldMarkTheSessionStarttlsWhenTheServerAccepts() throws IOException
    {
        // "rset" and "staRttLs" pipelined in one segment, verbs in odd case, and no banner in the capture.
        final SessionRecord s = only("smtp-rset-starttls/input.pcap");
        assertThat(s.tls()).isEqualTo(TlsState.STARTTLS);
    }

    @Test
    void shouldSkipBdatChunksIncludingAZeroLengthLastChunk() throws IOException
    {
        final SessionRecord s = only("smtp-bdat-zero-last-next-mail/input.pcap");
        assertThat(s.transactions()).hasSize(2).allSatisfy(t -> assertThat(t.data()).isEqualTo("accepted"));
        assertThat(s.transactions().get(0).lastReply()).startsWith("250 2.0.0 Ok: 0 bytes queued");
    }

    @Test
    void shouldNotOpenATransactionForDataWithoutMail() throws IOException
    {
        final SessionRecord s = only("bug-1449-01/suricata_stackoverflow.pcap");
        assertThat(s.anomaly(Anomaly.OUT_OF_ORDER)).isEqualTo(1);
        assertThat(s.transactions()).isEmpty();
        assertThat(s.helo()).isEqualTo("bug.client");
    }

    @Test
    void shouldCountButNotLogAConnectionThatNeverCarriedSmtp() throws IOException
    {
        final CaptureReplayTest.Run run = CaptureReplayTest.replay(
            TestCapture.captures().resolve("suricata-verify/bug-6733-syn-packet-flow-output/input.pcap"));
        assertThat(run.sessions()).isEmpty();
        assertThat(run.analyser().emptySessions()).isEqualTo(1);
    }

    @Test
    void shouldReadLoopbackCapturesOnThe2525SubmissionPort() throws IOException
    {
        final SessionRecord s = only("smtp-url-base64/smtp-url-b64.pcap");
        assertThat(s.serverPort()).isEqualTo(2525);
        assertThat(s.transactions()).singleElement().extracting(SessionRecord.Transaction::data).isEqualTo("accepted");
    }

    @Test
    void shouldGiveEverySuricataCaptureASensibleRecord() throws IOException
    {
        for (final Path file : CaptureReplayTest.allCaptures())
        {
            if (!file.startsWith(TestCapture.captures().resolve("suricata-verify")))
            {
                continue;
            }
            final CaptureReplayTest.Run run = CaptureReplayTest.replay(file);
            assertThat(run.sessions().size() + run.analyser().emptySessions()).as(file.toString()).isPositive();
            for (final SessionRecord s : run.sessions())
            {
                assertThat(s.end()).as(file.toString()).isAfterOrEqualTo(s.start());
                assertThat(s.serverPort()).isIn(25, 587, 2525);
                if (s.clientBytes() > 0 && s.serverBytes() > 0 && s.tls() == TlsState.NONE)
                {
                    assertThat(s.replies(2) + s.replies(3) + s.replies(4) + s.replies(5)).as(file.toString()).isPositive();
                }
            }
        }
    }
}
