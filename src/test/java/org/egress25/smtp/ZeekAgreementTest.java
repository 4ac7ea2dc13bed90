package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * egress25's session log against Zeek's smtp.log for the same captures, transaction by transaction:
 * helo, mailfrom, rcptto and last_reply. Zeek logs one line per transaction; so do we (inside a session).
 */
class ZeekAgreementTest
{
    private static Path zeek()
    {
        return TestCapture.captures().resolve("zeek");
    }

    /** One smtp.log line: the four fields we compare, "-" meaning unset and "(empty)" an empty set. */
    private record ZeekTx(String helo, String mailFrom, List<String> rcptTo, String lastReply)
    {
    }

    private static List<ZeekTx> readSmtpLog(final Path log) throws IOException
    {
        final List<ZeekTx> out = new ArrayList<>();
        List<String> fields = List.of();
        for (final String line : Files.readAllLines(log))
        {
            if (line.startsWith("#fields"))
            {
                fields = Arrays.asList(line.substring("#fields\t".length()).split("\t"));
            }
            if (line.startsWith("#"))
            {
                continue;
            }
            final String[] v = line.split("\t", -1);
            final String rcpt = v[fields.indexOf("rcptto")];
            out.add(new ZeekTx(
                v[fields.indexOf("helo")],
                v[fields.indexOf("mailfrom")],
                rcpt.equals("-") || rcpt.equals("(empty)") ? List.of() : Arrays.asList(rcpt.split(",")),
                v[fields.indexOf("last_reply")]));
        }
        return out;
    }

    private static List<String[]> ours(final CaptureReplayTest.Run run)
    {
        final List<String[]> out = new ArrayList<>();
        for (final SessionRecord s : run.sessions())
        {
            for (final SessionRecord.Transaction t : s.transactions())
            {
                out.add(new String[] {s.helo(), t.mailFrom(), String.join(",", t.rcptTo()), t.lastReply()});
            }
        }
        return out;
    }

    private static String zeekValue(final String v)
    {
        return v.equals("-") ? null : v;
    }

    private static void assertAgrees(final Path capture, final Path smtpLog) throws IOException
    {
        final CaptureReplayTest.Run run = CaptureReplayTest.replay(capture);
        final List<ZeekTx> zeek = readSmtpLog(smtpLog);
        final List<String[]> ours = ours(run);
        assertThat(ours).as("transactions in %s", capture).hasSize(zeek.size());
        for (int i = 0; i < zeek.size(); i++)
        {
            final ZeekTx z = zeek.get(i);
            final String[] o = ours.get(i);
            assertThat(o[0]).as("helo of tx %d", i + 1).isEqualTo(zeekValue(z.helo()));
            assertThat(o[1]).as("mail_from of tx %d", i + 1).isEqualTo(zeekValue(z.mailFrom()));
            assertThat(o[2]).as("rcpt_to of tx %d", i + 1).isEqualTo(String.join(",", z.rcptTo()));
            assertThat(o[3]).as("last_reply of tx %d", i + 1).isEqualTo(zeekValue(z.lastReply()));
        }
    }

    @Test
    void shouldAgreeWithZeekOnEveryTransactionOfTheInvalidTransactionsCapture() throws IOException
    {
        // RCPT without MAIL, DATA refused with 503 and the body lines then answered 500 one by one: Zeek
        // and egress25 both open a transaction at the stray RCPT and give it the last 500 as its reply.
        assertAgrees(zeek().resolve("smtp-mail-transactions-invalid.pcap"), zeek().resolve(
            "expected/smtp-mail-transactions-invalid.pcap/base.protocols.smtp.mail-transactions-invalid/Baseline/smtp.log"));
        // Not compared: the "-disable-analyzer" baseline of the same capture, where Zeek is configured to
        // stop parsing after too many invalid transactions; egress25 never stops parsing: it counts
        // the invalid commands as anomalies and keeps reading the dialogue.
    }

    @Test
    void shouldAgreeWithZeekOnTheIpv6ClientOnlyCapture() throws IOException
    {
        // The capture holds only the client's side, so neither tool has a reply: Zeek's last_reply is "-".
        assertAgrees(zeek().resolve("smtp-attachment-msg.pcap"), zeek().resolve(
            "expected/smtp-attachment-msg.pcap/base.protocols.smtp.attachment-msg/Baseline/smtp.log"));
        final CaptureReplayTest.Run run = CaptureReplayTest.replay(zeek().resolve("smtp-attachment-msg.pcap"));
        assertThat(run.sessions().get(0).directions()).isEqualTo("client");
        assertThat(run.sessions().get(0).client()).isEqualTo("::1");
    }

    /**
     * The captures under zeek/smtp have their Zeek smtp.log summarised in INDEX.md (transaction count and
     * the first transaction's fields, last_reply cut short); the baselines themselves were not copied.
     */
    @Test
    void shouldAgreeWithZeekSummariesInTheIndexForTheBdatCaptures() throws IOException
    {
        final Pattern row = Pattern.compile(
            "^\\| (zeek/smtp/[^ ]+) \\|.*smtp\\.log (\\d+) tx; (\\S+)>(\\S+):(\\d+) helo=(\\S+) from=(\\S+) rcpt=(\\S+) last=(.*?)(?:\\s+tls=.*|\\s*\\|.*)$");
        int compared = 0;
        for (final String line : Files.readAllLines(TestCapture.captures().resolve("INDEX.md")))
        {
            final Matcher m = row.matcher(line);
            if (!m.matches())
            {
                continue;
            }
            final CaptureReplayTest.Run run = CaptureReplayTest.replay(TestCapture.captures().resolve(m.group(1)));
            final List<String[]> ours = ours(run);
            assertThat(ours).as("transactions in %s", m.group(1)).hasSize(Integer.parseInt(m.group(2)));
            final SessionRecord first = run.sessions().get(0);
            assertThat(first.client()).isEqualTo(m.group(3));
            assertThat(first.serverPort()).isEqualTo(Integer.parseInt(m.group(5)));
            assertThat(ours.get(0)[0]).as("helo in %s", m.group(1)).isEqualTo(m.group(6));
            assertThat(ours.get(0)[1]).as("mail_from in %s", m.group(1)).isEqualTo(m.group(7));
            assertThat(ours.get(0)[2]).as("rcpt_to in %s", m.group(1)).isEqualTo(m.group(8));
            assertThat(ours.get(0)[3]).as("last_reply in %s", m.group(1)).startsWith(m.group(9).trim());
            compared++;
        }
        assertThat(compared).as("INDEX rows with a Zeek smtp.log summary").isGreaterThanOrEqualTo(8);
    }
}
