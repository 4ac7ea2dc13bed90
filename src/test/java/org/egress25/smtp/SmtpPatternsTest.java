package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.egress25.host.Action;
import org.egress25.decision.Corroboration;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.host.Addresses;
import org.junit.jupiter.api.Test;

/** The pattern analysers on synthetic dialogues, with the default rules. */
class SmtpPatternsTest
{
    private final Harness harness = new Harness();
    private final List<SessionRecord> records = harness.records;
    private final List<Decision> decisions = harness.decisions;
    private final SmtpAnalyser analyser = harness.analyser;
    private final Wire wire = harness.wire;
    private int nextPort = 20_000;

    /**
     * One session: banner, HELO, MAIL, one RCPT per entry of {@code rcptReplies} answered with that reply,
     * DATA if any recipient was accepted (answered with {@code dataReply}), QUIT.
     */
    private void session(final String host, final int serverPort, final String helo, final String banner,
        final List<String> rcptReplies, final String dataReply)
    {
        final Wire.Conn c = wire.connect(host, nextPort++, "198.51.100." + (1 + nextPort % 50), serverPort);
        c.server(banner + "\r\n");
        if (!banner.startsWith("220"))
        {
            c.client("QUIT\r\n").server("221 bye\r\n");
            c.finBoth();
            return;
        }
        c.client("EHLO " + helo + "\r\n").server("250-mx\r\n250 PIPELINING\r\n");
        if (!rcptReplies.isEmpty())
        {
            c.client("MAIL FROM:<news@" + helo + ">\r\n").server("250 ok\r\n");
            boolean any = false;
            int i = 0;
            for (final String reply : rcptReplies)
            {
                c.client("RCPT TO:<user" + i + "@domain" + (i % 7) + ".example>\r\n").server(reply + "\r\n");
                any |= reply.startsWith("2");
                i++;
            }
            if (any && dataReply != null)
            {
                c.client("DATA\r\n").server("354 go\r\n").client("Subject: x\r\n\r\nbody\r\n.\r\n").server(dataReply + "\r\n");
            }
        }
        c.client("QUIT\r\n").server("221 bye\r\n");
        c.finBoth();
    }

    private List<Decision> by(final String rule)
    {
        return decisions.stream().filter(d -> d.rule().equals(rule)).toList();
    }

    @Test
    void shouldBlockAtOnceWhenARemoteServerNamesTheHostOnABlocklist()
    {
        final Wire.Conn c = wire.connect("203.0.113.7", 40_001, "198.51.100.1", 25);
        c.server("554-mx.example.net rejected: Client host [203.0.113.7] blocked using zen.spamhaus.org;\r\n");
        assertThat(records).as("the session is still open").isEmpty();
        assertThat(decisions).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.BLOCK);
            assertThat(d.rule()).isEqualTo("smtp-blocklist-reply");
            assertThat(d.host()).isEqualTo("203.0.113.7");
            assertThat(d.evidence()).containsEntry("names_host", true).containsEntry("zone", "spamhaus");
            assertThat((String)d.evidence().get("reply")).contains("blocked using zen.spamhaus.org");
        });
        c.server("554 5.7.1 see https://www.spamhaus.org/query/ip/203.0.113.7\r\n");
        c.finBoth();
        assertThat(records.get(0).blocklistReply()).startsWith("554-mx.example.net rejected: Client host [203.0.113.7]");
        assertThat(analyser.flaggedHosts()).singleElement().satisfies(s ->
        {
            assertThat(s.host()).isEqualTo("203.0.113.7");
            assertThat(s.blocklistReply()).contains("spamhaus");
            assertThat(s.replyCodes()).containsEntry(554, 1L);
        });
    }

    @Test
    void shouldRecogniseTheHostInDnsblQueryOrder()
    {
        assertThat(SmtpPatterns.namesAddress("550 listed: 7.113.0.203.bl.spamcop.net", "203.0.113.7", 0,
            Addresses.parse("203.0.113.7")[1])).isTrue();
        assertThat(SmtpPatterns.namesAddress("550 203.0.113.70 is listed", "203.0.113.7", 0,
            Addresses.parse("203.0.113.7")[1])).isFalse();
        assertThat(SmtpPatterns.namesAddress("550 [203.0.113.7] is listed.", "203.0.113.7", 0,
            Addresses.parse("203.0.113.7")[1])).isTrue();
    }

    @Test
    void shouldOnlyAlertWhenABlocklistReplyLaterInTheDialogueDoesNotNameTheHost()
    {
        session("203.0.113.8", 25, "mail.example.org", "220 mx", List.of("250 ok"),
            "554 5.7.1 message contains a URL listed on dbl.spamhaus.org");
        assertThat(by("smtp-blocklist-reply")).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.ALERT);
            assertThat(d.evidence()).containsEntry("names_host", false).containsEntry("answering", "data_end");
        });
    }

    @Test
    void shouldBlockOnOutlooksOwnBlockListWordingThatNamesTheHost()
    {
        session("203.0.113.9", 25, "mail.example.org", "220 mx", List.of("550 5.7.1 Unfortunately, messages from"
            + " [203.0.113.9] weren't sent. Please contact your Internet service provider since part of their network"
            + " is on our block list (S3150)."), null);
        assertThat(by("smtp-blocklist-reply")).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.BLOCK);
            assertThat(d.evidence()).containsEntry("names_host", true)
                .containsEntry("basis", "decisive: the reply names this host's address");
        });
    }

    @Test
    void shouldOnlyAlertOnABlocklistRefusedGreetingThatDoesNotNameTheHost()
    {
        session("203.0.113.10", 25, "mail.example.org", "554 5.7.1 Service unavailable; blocked using"
            + " zen.spamhaus.org", List.of(), null);
        assertThat(by("smtp-blocklist-reply")).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.ALERT);
            assertThat(d.evidence()).containsEntry("basis", "badness evidence only").containsKey("missing");
        });
    }

    /**
     * A clean MTA whose every session has a greylisted or unknown recipient (450 4.2.0, 550 5.1.1): mailbox-level
     * refusals, which the rejection share must not count; the same share of 554 5.7.1 policy refusals blocks.
     */
    @Test
    void shouldNotCountGreylistingOrUnknownUsersTowardTheRejectionShare()
    {
        for (int i = 0; i < 20; i++)
        {
            session("203.0.113.30", 25, "mail.example.org", "220 mx", List.of("250 ok", i % 2 == 0
                ? "450 4.2.0 <b@d.example>: Recipient address rejected: Greylisted" : "550 5.1.1 <b@d.example>: User"
                + " unknown"), "250 queued");
            session("203.0.113.31", 25, "mail.example.net", "220 mx", List.of(i % 2 == 0
                ? "450 4.2.0 Greylisted, see http://postgrey.schweikert.ch/help/x.html" : "550 5.1.1 User unknown"),
                null);
            session("203.0.113.32", 25, "mail.example.com", "220 mx", List.of("554 5.7.1 <b@d.example>: Relay access"
                + " denied"), null);
            wire.advanceMillis(60_000);
        }
        assertThat(decisions).filteredOn(d -> d.host().equals("203.0.113.30") || d.host().equals("203.0.113.31"))
            .noneMatch(d -> d.rule().equals("smtp-rejection-share"));
        assertThat(by("smtp-rejection-share")).isNotEmpty().allSatisfy(d ->
        {
            assertThat(d.host()).isEqualTo("203.0.113.32");
            assertThat(d.action()).isEqualTo(Action.BLOCK);
        });
    }

    /** A few sessions a minute, a random HELO each, 3 of 4 recipients unknown, every third banner a refusal. */
    private void slowSpambot(final String bot, final String refusal)
    {
        final Random random = new Random(7);
        for (int i = 0; i < 30; i++)
        {
            final StringBuilder helo = new StringBuilder();
            for (int k = 0; k < 10; k++)
            {
                helo.append((char)('a' + random.nextInt(26)));
            }
            final List<String> replies = List.of("250 ok", "550 5.1.1 user unknown", "550 5.1.1 user unknown",
                "550 5.1.1 user unknown");
            session(bot, 25, helo + ".com", i % 3 == 2 ? refusal : "220 mx", replies, "250 queued");
            wire.advanceMillis(20_000);
        }
    }

    @Test
    void shouldBlockASlowSpambotThatARemoteServerNamesOnABlocklist()
    {
        final String bot = "203.0.113.66";
        slowSpambot(bot, "554 5.7.1 Service unavailable; Client host [" + bot + "] blocked using zen.spamhaus.org");
        // The first refused banner (third session) blocks; while blocked, the other detectors' blocks are
        // suppressed, and the HELO alert (from the first session) still reaches the abuse desk.
        assertThat(decisions).filteredOn(d -> d.action() == Action.BLOCK).singleElement().satisfies(d ->
        {
            assertThat(d.rule()).isEqualTo("smtp-blocklist-reply");
            assertThat(d.host()).isEqualTo(bot);
            assertThat(d.expires()).isNotNull();
            assertThat(d.time()).isEqualTo(records.get(2).start());
        });
        assertThat(by("smtp-helo-quality")).singleElement().satisfies(d -> assertThat(d.action()).isEqualTo(Action.ALERT));
        final SmtpHostSummary summary = analyser.summary(0, Addresses.parse(bot)[1]);
        assertThat(summary.blocklistReply()).contains("blocked using zen.spamhaus.org");
        assertThat(summary.heloSamples()).hasSize(5);
        assertThat(summary.rules()).contains("smtp-blocklist-reply", "smtp-rejection-share", "smtp-helo-quality");
        assertThat(summary.replyCodes()).containsKeys(220, 550, 554);
        assertThat(summary.recipientsRejected()).isGreaterThan(summary.recipients() / 2);
    }

    @Test
    void shouldBlockASlowSpambotOnRejectionShareAloneWhenNoReplyNamesABlocklist()
    {
        slowSpambot("203.0.113.67", "554 5.7.1 Service unavailable");
        assertThat(decisions).filteredOn(d -> d.action() == Action.BLOCK).singleElement()
            .satisfies(d -> assertThat(d.rule()).isEqualTo("smtp-rejection-share"));
        assertThat(by("smtp-blocklist-reply")).isEmpty();
    }

    @Test
    void shouldLeaveAloneALegitimateSmallMailServerWithASteadyTrickle()
    {
        final String mta = "203.0.113.25";
        for (int i = 0; i < 40; i++)
        {
            session(mta, 25, "mail.example.org", "220 mx ESMTP", List.of("250 2.1.5 ok", "250 2.1.5 ok"),
                "250 2.0.0 queued");
            wire.advanceMillis(5 * 60_000);
        }
        assertThat(decisions).isEmpty();
        assertThat(analyser.flaggedHosts()).isEmpty();
        assertThat(records).hasSize(40);
    }

    @Test
    void shouldOnlyAlertOnHeloOdditiesAlone()
    {
        for (final String helo : List.of("localhost", "192.0.2.1", "[203.0.113.99]", "gmail.com", "xkqzvbtrw.net"))
        {
            session("203.0.113.30", 25, helo, "220 mx", List.of("250 ok"), "250 queued");
            wire.advanceMillis(2 * Verdicts.ALERT_QUIET_NANOS / 1_000_000);
        }
        assertThat(decisions).hasSize(5).allSatisfy(d ->
        {
            assertThat(d.rule()).isEqualTo("smtp-helo-quality");
            assertThat(d.action()).isEqualTo(Action.ALERT);
        });
        assertThat(decisions).extracting(d -> d.evidence().get("problems").toString())
            .containsExactly("[localhost]", "[bare-ip]", "[ip-literal-not-host]", "[claims-provider-domain]",
                "[random-looking]");
    }

    @Test
    void shouldJudgeTheSameAddressLiteralAgainstEachHostThatSaysIt()
    {
        // HELO findings are remembered per name and host: "[203.0.113.40]" is proper from 203.0.113.40 only.
        session("203.0.113.40", 25, "[203.0.113.40]", "220 mx", List.of("250 ok"), "250 queued");
        session("203.0.113.41", 25, "[203.0.113.40]", "220 mx", List.of("250 ok"), "250 queued");
        session("203.0.113.40", 25, "[203.0.113.40]", "220 mx", List.of("250 ok"), "250 queued");
        assertThat(harness.outcomes).containsExactly(SessionOutcome.GOOD, SessionOutcome.BAD_HELO, SessionOutcome.GOOD);
        assertThat(by("smtp-helo-quality")).singleElement()
            .satisfies(d -> assertThat(d.host()).isEqualTo("203.0.113.41"));
    }

    @Test
    void shouldCountRecipientDomainsWhateverTheirCase()
    {
        final Wire.Conn c = wire.connect("203.0.113.42", 40_100, "198.51.100.9", 25);
        c.server("220 mx\r\n").client("EHLO mail.example.org\r\n").server("250 mx\r\n");
        c.client("MAIL FROM:<a@example.org>\r\n").server("250 ok\r\n");
        for (final String rcpt : List.of("x@Example.COM", "y@example.com", "z@EXAMPLE.com", "w@other.example"))
        {
            c.client("RCPT TO:<" + rcpt + ">\r\n").server("250 ok\r\n");
        }
        c.client("QUIT\r\n").server("221 bye\r\n");
        c.finBoth();
        final long[] host = Addresses.parse("203.0.113.42");
        assertThat(analyser.summary(host[0], host[1])).satisfies(s ->
        {
            assertThat(s.recipients()).isEqualTo(4);
            assertThat(s.recipientDomains()).isEqualTo(2);
        });
    }

    @Test
    void shouldOnlyAlertOnRecipientFanOutAcrossCleanSessions()
    {
        fiftyRecipientsThreeTimes();
        assertThat(by("smtp-recipient-fanout")).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.ALERT);
            assertThat(d.reason()).endsWith("; volume alone, so alert only");
            assertThat(d.evidence()).containsEntry("recipients", 150L).containsEntry("basis", "volume alone")
                .containsEntry("missing", "no dialogue evidence is gathered in this configuration");
        });
    }

    @Test
    void shouldBlockRecipientFanOutWhenBadDialoguesCorroborateIt()
    {
        analyser.setCorroboration(new Corroboration()
        {
            @Override
            public boolean corroborates(final long hi, final long lo, final long nowNanos)
            {
                return true;
            }

            @Override
            public Map<String, Object> evidence(final long hi, final long lo, final long nowNanos)
            {
                return Map.of("bad_rejected", 5);
            }

            @Override
            public String missing(final long hi, final long lo, final long nowNanos)
            {
                return "";
            }
        });
        fiftyRecipientsThreeTimes();
        assertThat(by("smtp-recipient-fanout")).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.BLOCK);
            assertThat(d.evidence()).containsEntry("recipients", 150L)
                .containsEntry("basis", "corroborated: volume and badness evidence")
                .containsEntry("corroborated_by", Map.of("bad_rejected", 5));
        });
    }

    private void fiftyRecipientsThreeTimes()
    {
        final List<String> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            fifty.add("250 ok");
        }
        for (int i = 0; i < 3; i++)
        {
            session("203.0.113.40", 25, "bulk.example.org", "220 mx", fifty, "250 queued");
            wire.advanceMillis(60_000);
        }
    }

    @Test
    void shouldBlockADirectoryHarvest()
    {
        final List<String> replies = new ArrayList<>();
        for (int i = 0; i < 25; i++)
        {
            replies.add(i < 3 ? "250 ok" : "550 5.1.1 <user@x>: Recipient address rejected: User unknown");
        }
        session("203.0.113.41", 25, "mail.example.org", "220 mx", replies, null);
        assertThat(by("smtp-directory-harvest")).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.BLOCK);
            assertThat(d.evidence()).containsEntry("recipients", 25).containsEntry("unknown", 22);
        });
    }

    @Test
    void shouldAlertOnAuthBruteForceAgainstSubmissionPortsNeverBlock()
    {
        for (int i = 0; i < 12; i++)
        {
            final Wire.Conn c = wire.connect("203.0.113.42", nextPort++, "198.51.100.9", 587);
            c.server("220 smtp\r\n").client("EHLO pc\r\n").server("250 AUTH LOGIN\r\n")
                .client("AUTH LOGIN\r\n").server("334 VXNlcm5hbWU6\r\n").client("YWRtaW4=\r\n")
                .server("334 UGFzc3dvcmQ6\r\n").client("MTIzNDU2\r\n").server("535 5.7.8 Error: authentication failed\r\n")
                .client("QUIT\r\n").server("221 bye\r\n");
            c.finBoth();
            wire.advanceMillis(10_000);
        }
        assertThat(records).allSatisfy(r -> assertThat(r.authFailures()).isEqualTo(1));
        assertThat(by("smtp-auth-bruteforce")).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.ALERT);
            assertThat(d.evidence()).containsEntry("auth_failures", 11L);
        });
    }

    @Test
    void shouldAlertWhenMostSessionsEndWithoutAMessage()
    {
        for (int i = 0; i < 10; i++)
        {
            session("203.0.113.43", 25, "probe.example.org", "220 mx", List.of(), null);
            wire.advanceMillis(30_000);
        }
        assertThat(by("smtp-aborted-sessions")).singleElement().satisfies(d ->
        {
            assertThat(d.action()).isEqualTo(Action.ALERT);
            assertThat(d.evidence()).containsEntry("aborted_sessions", 10L);
        });
    }

    @Test
    void shouldForgetIdleHostsAndBoundTheirNumber()
    {
        session("203.0.113.44", 25, "mail.example.org", "220 mx", List.of("250 ok"), "250 queued");
        assertThat(analyser.patternHosts()).isEqualTo(1);
        wire.advanceMillis(3 * 3_600_000L);
        assertThat(analyser.patternHosts()).isZero();
    }

    @Test
    void shouldFindTheSameBlocklistZoneAsAPlainSearchWhateverTheCase()
    {
        final String[] names = {"zen.spamhaus.org", "bl.spamcop.net", "cbl.abuseat.org", "b.barracudacentral.org", "x"};
        final byte[][] zones = new byte[names.length][];
        for (int z = 0; z < names.length; z++)
        {
            zones[z] = names[z].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        final boolean[] starts = SmtpPatterns.zoneStarts(zones);
        final String[] pieces = {"550 5.7.1 ", "Service unavailable; ", "ZEN.Spamhaus.ORG", "bl.spamcop.ne", "bl.SpamCop.net",
            "cbl.abuseat", ".org", "B.BARRACUDACENTRAL.org", " blocked using ", "X", "10.0.0.7", "zen.spamhaus.or"};
        final java.util.Random random = new java.util.Random(25);
        for (int round = 0; round < 20_000; round++)
        {
            final StringBuilder text = new StringBuilder();
            final int parts = 1 + random.nextInt(6);
            for (int p = 0; p < parts; p++)
            {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            final byte[] line = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(SmtpPatterns.findZone(zones, starts, line, line.length))
                .as(text.toString()).isEqualTo(plainSearch(names, text.toString()));
        }
    }

    /** The zone found at the earliest position, the first listed on a tie; -1 for none. */
    private static int plainSearch(final String[] names, final String text)
    {
        final String lower = text.toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < lower.length(); i++)
        {
            for (int z = 0; z < names.length; z++)
            {
                if (lower.startsWith(names[z], i))
                {
                    return z;
                }
            }
        }
        return -1;
    }
}
