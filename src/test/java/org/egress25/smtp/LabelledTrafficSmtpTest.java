package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.policy.Policy;
import org.egress25.synth.HostKind;
import org.egress25.synth.Label;
import org.egress25.synth.Labels;
import org.egress25.synth.Scenario;
import org.egress25.synth.TrafficGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SMTP analyser on generated, labelled traffic: an hour of slow spambots (3 sessions a minute,
 * random HELOs, most recipients refused by blocklists naming them) among small and business MTAs sending a
 * steady trickle, submission and implicit-TLS users, a NAT office, a directory harvester and an AUTH brute
 * forcer. The SMTP analyser alone (no rate detector) must block every spambot and the harvester, and
 * block no clean host. The business MTAs relay to 40 MX hosts every ~8 s, fan-out by any measure, and are
 * not exempted: volume alone only alerts (smtp-recipient-fanout says what is missing).
 */
class LabelledTrafficSmtpTest
{
    private static final Set<String> CLEAN = Set.of("small-mta", "business-mta", "submission-user",
        "implicit-tls-user", "nat-office", "web-user");

    @Test
    void shouldBlockSlowSpambotsAndHarvesterButNoLegitimateMailServer(@TempDir final Path dir) throws IOException
    {
        final Path pcap = dir.resolve("labelled.pcap");
        final Labels labels = new TrafficGenerator(hourOfMixedMail()).write(pcap);
        final Policy policy = TestCapture.policy();
        final Harness h = new Harness(policy, SmtpLimits.defaults());
        final int packets = TestCapture.replay(pcap, h.policy, h.analyser);

        final Map<String, List<Decision>> byHost = h.decisions.stream()
            .collect(Collectors.groupingBy(Decision::host, TreeMap::new, Collectors.toList()));
        System.out.printf("%d packets, %d SMTP sessions, %d decisions%n", packets, h.records.size(), h.decisions.size());
        for (final Label label : labels.hosts())
        {
            System.out.printf("%-22s %-20s %s%n", label.host(), label.kind(), byHost.getOrDefault(label.host(), List.of())
                .stream().map(d -> d.action().label() + ":" + d.rule()).toList());
        }
        for (final Label label : labels.hosts())
        {
            final List<Decision> mine = byHost.getOrDefault(label.host(), List.of());
            final boolean blocked = mine.stream().anyMatch(d -> d.action() == Action.BLOCK);
            switch (label.kind())
            {
                case "slow-spambot" -> assertThat(mine).as(label.host()).anySatisfy(d ->
                {
                    assertThat(d.action()).isEqualTo(Action.BLOCK);
                    assertThat(d.rule()).isEqualTo("smtp-blocklist-reply");
                    assertThat(d.evidence()).containsEntry("names_host", true);
                });
                case "directory-harvester" -> assertThat(mine).as(label.host()).anySatisfy(d ->
                {
                    assertThat(d.action()).isEqualTo(Action.BLOCK);
                    assertThat(d.rule()).isEqualTo("smtp-directory-harvest");
                });
                // Submission ports are never blocked on their own (RFC 6409): the brute forcer is an alert.
                case "auth-brute-forcer" -> assertThat(mine).as(label.host()).anySatisfy(d ->
                {
                    assertThat(d.rule()).isEqualTo("smtp-auth-bruteforce");
                    assertThat(d.action()).isEqualTo(Action.ALERT);
                });
                case "business-mta" ->
                {
                    assertThat(blocked).as(label.host() + " (business-mta) blocked").isFalse();
                    assertThat(mine).as(label.host()).anySatisfy(d ->
                    {
                        assertThat(d.rule()).isEqualTo("smtp-recipient-fanout");
                        assertThat(d.evidence()).containsEntry("basis", "volume alone").containsKey("missing");
                    });
                }
                default ->
                {
                    if (CLEAN.contains(label.kind()))
                    {
                        assertThat(blocked).as(label.host() + " (" + label.kind() + ") blocked").isFalse();
                    }
                }
            }
        }
        assertThat(h.analyser.sessions(465, TlsState.IMPLICIT)).isPositive();
        assertThat(h.analyser.openSessions()).isZero();
    }

    private static Scenario hourOfMixedMail()
    {
        return Scenario.builder().seed(25).duration(Duration.ofHours(1)).noHosts()
            .hosts(HostKind.SLOW_SPAMBOT, 3).hosts(HostKind.SMALL_MTA, 3).hosts(HostKind.BUSINESS_MTA, 2)
            .hosts(HostKind.SUBMISSION_USER, 3).hosts(HostKind.IMPLICIT_TLS_USER, 2).hosts(HostKind.NAT_OFFICE, 1)
            .hosts(HostKind.WEB_USER, 2).hosts(HostKind.DIRECTORY_HARVESTER, 1).hosts(HostKind.AUTH_BRUTE_FORCER, 1)
            .build();
    }

    /**
     * Without a session log no record is built and the detectors read the finished slot directly: the
     * decisions, the report material and the sequential test's observations must be exactly those of a run
     * that writes the log. The outcomes are also checked against the session records (which the shared-capture
     * tests hold to Zeek and Arkime), classified here the way the sequential test is documented to see them.
     */
    @Test
    void shouldDecideTheSameWithOrWithoutASessionLog(@TempDir final Path dir) throws IOException
    {
        final Path pcap = dir.resolve("labelled.pcap");
        final Labels labels = new TrafficGenerator(hourOfMixedMail()).write(pcap);
        final Policy policy = TestCapture.policy();
        final Harness logged = new Harness(policy, SmtpLimits.defaults(), true);
        final Harness unlogged = new Harness(policy, SmtpLimits.defaults(), false);
        TestCapture.replay(pcap, policy, logged.analyser);
        TestCapture.replay(pcap, policy, unlogged.analyser);

        assertThat(unlogged.records).isEmpty();
        assertThat(logged.decisions).hasSizeGreaterThan(5);
        assertThat(unlogged.decisions).isEqualTo(logged.decisions);
        assertThat(unlogged.analyser.flaggedHosts()).isEqualTo(logged.analyser.flaggedHosts());
        assertThat(unlogged.outcomes).isEqualTo(logged.outcomes);

        assertThat(logged.outcomes).hasSameSizeAs(logged.records);
        for (int i = 0; i < logged.records.size(); i++)
        {
            assertThat(logged.outcomes.get(i)).as(logged.records.get(i).toString())
                .isEqualTo(expectedOutcome(logged.records.get(i), policy));
        }
        assertThat(logged.outcomes).contains(SessionOutcome.GOOD, SessionOutcome.BAD_BLOCKLIST,
            SessionOutcome.BAD_HELO, SessionOutcome.ENCRYPTED, SessionOutcome.NONE);
    }

    /** The sequential test's reading of one session, from its record. */
    private static int expectedOutcome(final SessionRecord r, final Policy policy)
    {
        if (r.serverPort() != 25 || !r.serverSeen())
        {
            return SessionOutcome.NONE;
        }
        if (r.tls() != TlsState.NONE)
        {
            return SessionOutcome.ENCRYPTED;
        }
        if (r.replies(2) + r.replies(3) + r.replies(4) + r.replies(5) == 0)
        {
            return SessionOutcome.NONE;
        }
        if (r.blocklistReply() != null)
        {
            return SessionOutcome.BAD_BLOCKLIST;
        }
        if (r.dataAccepted() > 0)
        {
            final long[] host = org.egress25.host.Addresses.parse(r.client());
            return r.helo() != null
                && HeloCheck.problems(r.helo(), host[0], host[1], policy.smtp().helo().providerDomains()).isEmpty()
                ? SessionOutcome.GOOD : SessionOutcome.BAD_HELO;
        }
        if (r.earlyRejection())
        {
            return SessionOutcome.BAD_REJECTED;
        }
        if (r.recipients() > 0 && r.recipientsRejected() == r.recipients())
        {
            return r.recipientsUnknown() > 0 ? SessionOutcome.BAD_UNKNOWN_USERS : SessionOutcome.DEFERRED;
        }
        return SessionOutcome.BAD_NO_DATA;
    }
}
