package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.egress25.event.PacketEvent;
import org.junit.jupiter.api.Test;

/**
 * Property tests: however a dialogue is cut into segments, reordered a little or retransmitted, the session
 * record is the same; and arbitrary bytes in arbitrary segments never throw and never grow state past caps.
 */
class SessionFuzzTest
{
    /** Alternating client and server turns of one rich dialogue; each turn is sent before the next starts. */
    private static final String[][] DIALOGUE = {
        {"S", "220 mx.example.net ESMTP\r\n"},
        {"C", "EHLO mail.example.org\r\n"},
        {"S", "250-mx.example.net\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 AUTH LOGIN PLAIN\r\n"},
        {"C", "AUTH LOGIN\r\n"},
        {"S", "334 VXNlcm5hbWU6\r\n"},
        {"C", "dXNlcg==\r\n"},
        {"S", "334 UGFzc3dvcmQ6\r\n"},
        {"C", "cGFzcw==\r\n"},
        {"S", "535 5.7.8 authentication failed\r\n"},
        {"C", "MAIL FROM:<alice@example.org> SIZE=120\r\nRCPT TO:<bob@example.net>\r\nRCPT TO:<nobody@example.net>\r\n"
            + "DATA\r\nSubject: hi\r\n\r\n..leading dot\r\n.\r\n"},
        {"S", "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <nobody@example.net>: user unknown\r\n354 go ahead\r\n"
            + "250 2.0.0 Ok: queued as ABC\r\n"},
        {"C", "MAIL FROM:<>\r\nRCPT TO:<carol@example.com>\r\nBDAT 12\r\nhello world!BDAT 3 LAST\r\nbye"},
        {"S", "250 Ok\r\n250 Ok\r\n250 2.0.0 12 octets\r\n250 2.0.0 Ok: queued as DEF\r\n"},
        {"C", "RSET\r\nNOOP\r\nVRFY bob\r\nQUIT\r\n"},
        {"S", "250 Ok\r\n250 Ok\r\n252 maybe\r\n221 Bye\r\n"},
    };

    private static String play(final long seed, final boolean disorder) throws Exception
    {
        final Random random = new Random(seed);
        final Harness h = new Harness(SmtpLimits.defaults());
        final Wire.Conn c = h.wire.connect("10.1.2.3", 40000, "192.0.2.25", 25);
        for (final String[] turn : DIALOGUE)
        {
            final boolean client = turn[0].equals("C");
            final byte[] bytes = turn[1].getBytes(StandardCharsets.US_ASCII);
            // Cut the turn into random segments, then (optionally) send them a little out of order, some twice.
            final List<int[]> segments = new ArrayList<>();
            for (int at = 0; at < bytes.length; )
            {
                final int n = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 4 : 60));
                segments.add(new int[] {at, n});
                at += n;
            }
            final long base = client ? c.clientSeq : c.serverSeq;
            if (disorder)
            {
                for (int i = 0; i + 1 < segments.size(); i++)
                {
                    if (random.nextInt(3) == 0)
                    {
                        Collections.swap(segments, i, i + 1);
                        i++;
                    }
                }
            }
            for (final int[] seg : segments)
            {
                final long ack = client ? c.serverSeq : c.clientSeq;
                c.segment(client, base + seg[0], ack, PacketEvent.TCP_ACK | PacketEvent.TCP_PSH, bytes, seg[0], seg[1]);
                if (disorder && random.nextInt(5) == 0)
                {
                    c.segment(client, base + seg[0], ack, PacketEvent.TCP_ACK, bytes, seg[0], seg[1]);
                }
            }
            if (client)
            {
                c.clientSeq = (base + bytes.length) & 0xffff_ffffL;
            }
            else
            {
                c.serverSeq = (base + bytes.length) & 0xffff_ffffL;
            }
        }
        c.finBoth();
        h.wire.end();
        assertThat(h.records).hasSize(1);
        return h.logText();
    }

    @Test
    void shouldGiveTheSameRecordHoweverTheDialogueIsSegmentedReorderedOrRetransmitted() throws Exception
    {
        final String reference = play(0, false);
        assertThat(reference)
            .contains("\"helo\":\"mail.example.org\"")
            .contains("\"auth\":{\"attempts\":1,\"failures\":1}")
            .contains("{\"mail_from\":\"alice@example.org\",\"rcpt_to\":[\"bob@example.net\",\"nobody@example.net\"],"
                + "\"rcpt_rejected\":1,\"data\":\"accepted\",\"last_reply\":\"250 2.0.0 Ok: queued as ABC\"")
            .contains("{\"mail_from\":\"\",\"rcpt_to\":[\"carol@example.com\"],\"rcpt_rejected\":0,\"data\":\"accepted\","
                + "\"last_reply\":\"250 2.0.0 Ok: queued as DEF\",\"rcpt_count\":1,\"data_bytes\":15}")
            .contains("\"replies\":{\"2xx\":13,\"3xx\":3,\"4xx\":0,\"5xx\":2}")
            .contains("\"anomalies\":{}")
            .contains("\"end_reason\":\"quit\"");
        for (long seed = 1; seed <= 300; seed++)
        {
            assertThat(play(seed, seed % 2 == 0)).as("seed %d", seed).isEqualTo(reference);
        }
    }

    private static final String[] TOKENS = {
        "EHLO x\r\n", "HELO\r\n", "MAIL FROM:<a@b.c>\r\n", "MAIL FROM:a@b\r\n", "RCPT TO:<d@e.f>\r\n", "DATA\r\n",
        "\r\n.\r\n", ".\r\n", "BDAT 7 LAST\r\n", "BDAT 99999999999999999999\r\n", "BDAT 3\r\n", "RSET\r\n", "QUIT\r\n",
        "AUTH LOGIN\r\n", "STARTTLS\r\n", "250-x\r\n", "250 ok\r\n", "354 go\r\n", "334 \r\n", "220 hi\r\n",
        "554 blocked using zen.spamhaus.org\r\n", "535 no\r\n", "\u0016\u0003\u0001", "\r", "\n", "\u0000\u00ff",
    };

    @Test
    void shouldNeverThrowNorOutgrowCapsOnArbitraryBytesInArbitrarySegments() throws Exception
    {
        final SmtpLimits tight = new SmtpLimits(8, 3, 64, 256, 4, Duration.ofSeconds(30), 2, 4, 255, 4, 16,
            Duration.ofMinutes(5), 1_000_000);
        final Harness h = new Harness(tight);
        final Random random = new Random(42);
        final int[] flagsChoice = {PacketEvent.TCP_ACK, PacketEvent.TCP_ACK | PacketEvent.TCP_PSH, PacketEvent.TCP_SYN,
            PacketEvent.TCP_FIN | PacketEvent.TCP_ACK, PacketEvent.TCP_RST, PacketEvent.TCP_SYN | PacketEvent.TCP_ACK};
        final List<Wire.Conn> conns = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            conns.add(h.wire.pickUp("10.0.0." + (1 + i % 5), 1024 + i, "192.0.2." + (1 + i % 7), i % 4 == 0 ? 587 : 25));
        }
        final byte[] buffer = new byte[3000];
        for (int step = 0; step < 100_000; step++)
        {
            final Wire.Conn c = conns.get(random.nextInt(conns.size()));
            int n = 0;
            final int parts = random.nextInt(6);
            for (int p = 0; p < parts && n < 2000; p++)
            {
                if (random.nextInt(4) == 0)
                {
                    final int len = random.nextInt(40);
                    for (int k = 0; k < len; k++)
                    {
                        buffer[n++] = (byte)random.nextInt(256);
                    }
                }
                else
                {
                    final byte[] t = TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.ISO_8859_1);
                    System.arraycopy(t, 0, buffer, n, t.length);
                    n += t.length;
                }
            }
            final boolean client = random.nextBoolean();
            final long seq = switch (random.nextInt(4))
            {
                case 0 -> random.nextLong() & 0xffff_ffffL;
                case 1 -> (client ? c.clientSeq : c.serverSeq) + random.nextInt(600) - 100;
                default -> client ? c.clientSeq : c.serverSeq;
            };
            final int flags = random.nextInt(10) < 7 ? flagsChoice[random.nextInt(2)] : flagsChoice[random.nextInt(flagsChoice.length)];
            c.segment(client, seq, random.nextLong(), flags, buffer, 0, n);
            if (client)
            {
                c.clientSeq = (seq + n) & 0xffff_ffffL;
            }
            else
            {
                c.serverSeq = (seq + n) & 0xffff_ffffL;
            }
            if (random.nextInt(1000) == 0)
            {
                h.wire.advanceMillis(random.nextInt(60_000));
            }
            assertThat(h.analyser.openSessions()).isLessThanOrEqualTo(tight.maxConnections());
            assertThat(h.analyser.heldBytes()).isLessThanOrEqualTo(2L * tight.reorderBytes() * tight.maxConnections());
            assertThat(h.analyser.patternHosts()).isLessThanOrEqualTo(tight.maxPatternHosts());
        }
        h.wire.end();
        assertThat(h.analyser.openSessions()).isZero();
        assertThat(h.records).isNotEmpty().allSatisfy(r ->
        {
            assertThat(r.transactions()).hasSizeLessThanOrEqualTo(tight.maxTransactions());
            assertThat(r.transactions().stream().mapToInt(t -> t.rcptTo().size()).sum())
                .isLessThanOrEqualTo(tight.maxRecipients());
        });
        assertThat(h.logText()).isNotEmpty();
        assertThat(h.analyser.capHits(Cap.CONNECTIONS_PER_HOST) + h.analyser.capHits(Cap.CONNECTIONS)).isPositive();
        assertThat(h.analyser.capHits(Cap.LINE_LENGTH)).isPositive();
        assertThat(h.analyser.anomalies(Anomaly.GAP)).isPositive();
    }
}
