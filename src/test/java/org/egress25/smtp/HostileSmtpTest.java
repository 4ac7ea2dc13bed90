package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.egress25.event.PacketEvent;
import org.junit.jupiter.api.Test;

/**
 * Hostile dialogues, each through the whole SMTP analyser with a session log: the analyser keeps going, the
 * session ends with a record, and memory stays inside the documented per-connection bound
 * ({@link SmtpLimits#maxBytesPerConnection()}) and the pattern analysers' byte bound.
 */
class HostileSmtpTest
{
    private final Harness harness = new Harness();
    private final Wire wire = harness.wire;
    private final SmtpLimits limits = SmtpLimits.defaults();

    private Wire.Conn open(final int port)
    {
        return wire.connect("10.66.0.1", port, "192.0.2.1", 25).server("220 mx ESMTP\r\n");
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private void assertWithinTheCaps()
    {
        final SmtpAnalyser a = harness.analyser;
        assertThat(a.connectionBufferBytes()).isLessThanOrEqualTo(a.connectionSlotsMade() * limits.maxBytesPerConnection());
        assertThat(a.heldBytes()).isLessThanOrEqualTo(2L * limits.reorderBytes() * Math.max(1, a.openSessions()));
        assertThat(a.patternBytes()).isLessThanOrEqualTo(limits.maxPatternBytes());
    }

    private SessionRecord only()
    {
        assertThat(harness.records).hasSize(1);
        return harness.records.get(0);
    }

    @Test
    void shouldCutOverLongLinesAndReadTheNextCommand()
    {
        final Wire.Conn c = open(30_001);
        final byte[] huge = new byte[4 << 20];
        Arrays.fill(huge, (byte)'A');
        c.clientSplit(huge, 1_460).client("\r\nEHLO h.example\r\n").serverSplit(huge, 1_460).server("\r\n250 ok\r\n");
        c.client("QUIT\r\n").server("221 bye\r\n").finBoth();
        assertWithinTheCaps();
        final SessionRecord r = only();
        assertThat(r.anomalies()).containsEntry("line_too_long", 2);
        assertThat(r.helo()).isEqualTo("h.example");
        assertThat(r.endReason()).isEqualTo("quit");
    }

    @Test
    void shouldCountNulsAndControlBytesAsGarbageAndGoOn()
    {
        final Wire.Conn c = open(30_002);
        c.client("EHLO h.example\r\n").server("250 ok\r\n");
        c.client(ascii("MAIL\u0000FROM:<a@b>\r\n\u0000\u0000\u0000\r\nRCPT TO:<x\u0000@y>\r\n"));
        c.server("500 what\r\n500 what\r\n503 no\r\n").client("QUIT\r\n").server("221 bye\r\n").finBoth();
        assertWithinTheCaps();
        final SessionRecord r = only();
        assertThat(r.anomalies().get("garbage")).isEqualTo(3);
        assertThat(r.endReason()).isEqualTo("quit");
    }

    @Test
    void shouldSurviveTwentyThousandDeepPipeliningOfMixedCommands()
    {
        final Wire.Conn c = open(30_003);
        c.client("EHLO h.example\r\n").server("250 ok\r\n");
        final StringBuilder commands = new StringBuilder();
        final StringBuilder replies = new StringBuilder();
        final String[] verbs = {"NOOP", "RSET", "VRFY x", "HELP", "MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>"};
        for (int i = 0; i < 20_000; i++)
        {
            commands.append(verbs[i % verbs.length]).append("\r\n");
            replies.append(i % 3 == 0 ? "550 no\r\n" : "250 ok\r\n");
        }
        c.clientSplit(ascii(commands.toString()), 1_460).serverSplit(ascii(replies.toString()), 1_460);
        c.client("QUIT\r\n").server("221 bye\r\n").finBoth();
        assertWithinTheCaps();
        final SessionRecord r = only();
        assertThat(r.replies(2) + r.replies(5)).isEqualTo(1 + 1 + 20_000 + 1);
        assertThat(r.anomalies()).containsKeys("pipeline_overflow", "unattributed_reply").doesNotContainKey("unsolicited_reply");
        assertThat(r.endReason()).isEqualTo("quit");
    }

    @Test
    void shouldBoundAnAuthContinuationFlood()
    {
        final Wire.Conn c = wire.connect("10.66.0.2", 30_004, "192.0.2.1", 587).server("220 mx ESMTP\r\n");
        c.client("EHLO h.example\r\n").server("250 AUTH LOGIN\r\n").client("AUTH LOGIN\r\n").server("334 VXNlcm5hbWU6\r\n");
        for (int i = 0; i < 50_000; i++)
        {
            c.client("dXNlcjEyMzQ1Njc4OQ==\r\n").server("334 UGFzc3dvcmQ6\r\n");
        }
        c.client("*\r\n").server("535 5.7.8 authentication failed\r\n").client("QUIT\r\n").server("221 bye\r\n").finBoth();
        assertWithinTheCaps();
        final SessionRecord r = only();
        assertThat(r.authAttempts()).isEqualTo(1);
        assertThat(r.authFailures()).isEqualTo(1);
        assertThat(harness.analyser.commands(Verb.AUTH_DATA)).isEqualTo(50_001);
        assertThat(r.endReason()).isEqualTo("quit");
    }

    @Test
    void shouldReadNothingAfterAnAcceptedStarttlsEvenIfPlaintextFollows()
    {
        final Wire.Conn c = open(30_005);
        c.client("EHLO h.example\r\n").server("250 STARTTLS\r\n").client("STARTTLS\r\n").server("220 go ahead\r\n");
        c.client("MAIL FROM:<spoof@x.example>\r\nRCPT TO:<a@b.example>\r\n").server("250 ok\r\n250 ok\r\n");
        c.client("QUIT\r\n").server("221 bye\r\n").finBoth();
        final SessionRecord r = only();
        assertThat(r.tls()).isEqualTo(TlsState.STARTTLS);
        assertThat(r.transactions()).isEmpty();
        assertThat(r.recipients()).isZero();
        assertThat(harness.analyser.commands(Verb.MAIL)).isZero();
    }

    @Test
    void shouldRefuseBogusBdatLengthsWithoutSkippingIntoTheVoid()
    {
        final Wire.Conn c = open(30_006);
        c.client("EHLO h.example\r\n").server("250 CHUNKING\r\n").client("MAIL FROM:<a@b.example>\r\n").server("250 ok\r\n");
        for (final String bogus : new String[] {"BDAT 99999999999999999999999", "BDAT -5", "BDAT", "BDAT 10 LAST junk",
            "BDAT 0x10", "BDAT 7 last\u0000"})
        {
            c.client(ascii(bogus + "\r\n")).server("501 bad\r\n");
        }
        c.client("RCPT TO:<x@y.example>\r\n").server("250 ok\r\n").client("QUIT\r\n").server("221 bye\r\n").finBoth();
        assertWithinTheCaps();
        final SessionRecord r = only();
        assertThat(r.anomalies().get("bad_bdat") + r.anomalies().getOrDefault("garbage", 0)).isEqualTo(6);
        assertThat(r.recipients()).isEqualTo(1);
        assertThat(r.endReason()).isEqualTo("quit");
    }

    @Test
    void shouldKeepTheFirstCopyOfOverlappingRetransmissionsWithDifferentContent()
    {
        final Wire.Conn c = open(30_007);
        final long start = c.clientSeq;
        c.client("EHLO first.example\r\n");
        // the same bytes again with other content, then a segment overlapping its tail, then random rewrites
        c.segment(true, start, c.serverSeq, PacketEvent.TCP_ACK, ascii("EHLO other.example\r\n"), 0, 20);
        final byte[] overlap = ascii("XXXXXXXXXXRCPT TO:<z@z>\r\n");
        c.segment(true, start + 10, c.serverSeq, PacketEvent.TCP_ACK, overlap, 0, overlap.length);
        final long end = start + 10 + overlap.length;
        final Random random = new Random(17);
        for (int i = 0; i < 2_000; i++)
        {
            final int at = random.nextInt(30);
            final byte[] junk = new byte[1 + random.nextInt((int)(end - start) - at)];
            random.nextBytes(junk);
            c.segment(true, start + at, c.serverSeq, PacketEvent.TCP_ACK, junk, 0, junk.length);
        }
        c.clientSeq = end;
        c.server("250 ok\r\n503 need mail\r\n").client("QUIT\r\n").server("221 bye\r\n").finBoth();
        assertWithinTheCaps();
        final SessionRecord r = only();
        assertThat(r.helo()).isEqualTo("first.example");
        assertThat(r.recipients()).isEqualTo(1);
        assertThat(r.endReason()).isEqualTo("quit");
    }
}
