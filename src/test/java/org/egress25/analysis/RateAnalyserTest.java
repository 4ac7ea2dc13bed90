package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.egress25.analysis.Traffic.MINUTE;
import static org.egress25.analysis.Traffic.SECOND;
import static org.egress25.analysis.Traffic.T0;
import static org.egress25.analysis.Traffic.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.decision.Verdicts;
import org.egress25.event.PacketEvent;
import org.egress25.policy.PortGroup;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.RateDetector;
import org.egress25.policy.RateMetric;
import org.junit.jupiter.api.Test;

class RateAnalyserTest
{
    private static final String HOST = "10.0.3.4";
    private static final String CLEAN = "10.0.9.9";

    private final Traffic t = new Traffic();

    private HostSnapshot.WindowCounts counts(final String host, final Duration window, final PortGroup group,
        final long nanos)
    {
        return t.snapshot(host, nanos).windows().stream()
            .filter(w -> w.window().equals(window) && w.ports() == group).findFirst().orElseThrow();
    }

    private HostSnapshot.WindowCounts relay1m(final String host, final long nanos)
    {
        return counts(host, Duration.ofMinutes(1), PortGroup.RELAY, nanos);
    }

    @Test
    void shouldNotCountARetransmittedSynAsANewAttempt()
    {
        t.syn(HOST, 40000, server(1), 25, T0);
        t.syn(HOST, 40000, server(1), 25, T0 + SECOND);
        t.syn(HOST, 40000, server(1), 25, T0 + 3 * SECOND);
        t.analyser.onEnd(T0 + 3 * SECOND);

        assertThat(relay1m(HOST, T0 + 3 * SECOND).attempts()).isEqualTo(1.0);
        assertThat(t.analyser.stats().synsSeen()).isEqualTo(1);
        assertThat(t.analyser.stats().synRetransmissions()).isEqualTo(2);
    }

    @Test
    void shouldCountASynRepeatedAfterTheTimeoutAsAFailureAndANewAttempt()
    {
        t.syn(HOST, 40000, server(1), 25, T0);
        t.syn(HOST, 40000, server(1), 25, T0 + 11 * SECOND);

        final HostSnapshot.WindowCounts counts = relay1m(HOST, T0 + 11 * SECOND);
        assertThat(counts.attempts()).isEqualTo(2.0);
        assertThat(counts.failures()).isEqualTo(1.0);
    }

    @Test
    void shouldCountAResetFromTheServerAsAFailure()
    {
        t.syn(HOST, 40000, server(1), 25, T0);
        t.rst(HOST, 40000, server(1), 25, T0 + 30_000_000L);

        assertThat(relay1m(HOST, T0 + SECOND).failures()).isEqualTo(1.0);
    }

    @Test
    void shouldCountASynOnAnOpenConnectionsPortAsANewAttemptAndCloseTheOldOne()
    {
        t.syn(HOST, 40000, server(1), 25, T0);
        t.synAck(HOST, 40000, server(1), 25, T0 + 10_000_000L);
        t.syn(HOST, 40000, server(1), 25, T0 + 30 * SECOND);

        assertThat(relay1m(HOST, T0 + 30 * SECOND).attempts()).isEqualTo(2.0);
        assertThat(t.snapshot(HOST, T0 + 30 * SECOND).concurrentRelay()).isZero();
    }

    @Test
    void shouldCountAMissingSynAckAsAFailureOnceTheTimeoutHasPassed()
    {
        t.syn(HOST, 40000, server(1), 25, T0);
        t.analyser.onTick(T0 + 9 * SECOND);
        assertThat(relay1m(HOST, T0 + 9 * SECOND).failures()).isZero();

        t.analyser.onTick(T0 + 12 * SECOND);
        t.analyser.onEnd(T0 + 12 * SECOND);

        assertThat(relay1m(HOST, T0 + 12 * SECOND).failures()).isEqualTo(1.0);
        assertThat(t.analyser.stats().failuresDetected()).isEqualTo(1);
        assertThat(t.analyser.stats().connectionsTracked()).isZero();
    }

    @Test
    void shouldNotCountAnAnsweredAttemptAsAFailure()
    {
        t.session(HOST, 40000, server(1), T0);
        t.analyser.onTick(T0 + 30 * SECOND);

        assertThat(relay1m(HOST, T0 + 30 * SECOND).failures()).isZero();
        assertThat(relay1m(HOST, T0 + 30 * SECOND).attempts()).isEqualTo(1.0);
    }

    @Test
    void shouldTrackConcurrentConnectionsUpAndDown()
    {
        for (int i = 0; i < 3; i++)
        {
            t.syn(HOST, 40000 + i, server(i), 25, T0 + i * SECOND);
            t.synAck(HOST, 40000 + i, server(i), 25, T0 + i * SECOND + 10_000_000L);
        }
        assertThat(t.snapshot(HOST, T0 + 3 * SECOND).concurrentRelay()).isEqualTo(3);

        t.out(HOST, 40000, server(0), 25, PacketEvent.TCP_FIN | PacketEvent.TCP_ACK, T0 + 4 * SECOND);
        assertThat(t.snapshot(HOST, T0 + 4 * SECOND).concurrentRelay()).isEqualTo(2);

        t.in(HOST, 40001, server(1), 25, PacketEvent.TCP_RST, T0 + 5 * SECOND);
        assertThat(t.snapshot(HOST, T0 + 5 * SECOND).concurrentRelay()).isEqualTo(1);
        assertThat(relay1m(HOST, T0 + 5 * SECOND).failures()).isZero();

        t.analyser.onTick(T0 + 11 * MINUTE);
        assertThat(t.snapshot(HOST, T0 + 11 * MINUTE).concurrentRelay()).isZero();
    }

    @Test
    void shouldOnlyAlertWhenCleanSessionsExceedTwentyAttemptsPerMinute()
    {
        for (int i = 0; i < 20; i++)
        {
            t.session(HOST, 40000 + i, server(1), T0 + i * 2 * SECOND);
        }
        assertThat(t.decisions).isEmpty();
        assertThat(t.detector(HOST, "port25-attempts-1m", T0 + 40 * SECOND).value()).isEqualTo(20.0);

        t.session(HOST, 40020, server(1), T0 + 40 * SECOND);
        t.session(HOST, 40021, server(1), T0 + 41 * SECOND);

        assertThat(t.decisions).hasSize(1);
        final Decision alert = t.decisions.get(0);
        assertThat(alert.action()).isEqualTo(Action.ALERT);
        assertThat(alert.rule()).isEqualTo("port25-attempts-1m");
        assertThat(alert.reason()).isEqualTo(
            "10.0.3.4 made 21 connection attempts to port 25 in the last 1m, above the limit of 20 "
                + "(rule port25-attempts-1m); volume alone, so alert only");
        assertThat(alert.evidence()).containsEntry("basis", "volume alone");
        assertThat((String)alert.evidence().get("missing")).startsWith("badness evidence: under 20% of attempts"
            + " failed, and no readable SMTP dialogue");
    }

    @Test
    void shouldBlockWhenPortTwentyFiveAttemptsPerMinuteExceedTwentyWithRefusedDialogues()
    {
        for (int i = 0; i < 20; i++)
        {
            t.session(HOST, 40000 + i, server(1), T0 + i * 2 * SECOND);
        }
        // Four refused sessions (LLR 6.0) are just short of the corroboration bound 6.9: still an alert.
        t.refusedSessions(HOST, 4, T0 + 39 * SECOND);
        t.session(HOST, 40020, server(1), T0 + 40 * SECOND);
        assertThat(t.decisions).extracting(Decision::action).containsExactly(Action.ALERT);

        t.refusedSessions(HOST, 1, T0 + 40 * SECOND);
        t.session(HOST, 40021, server(1), T0 + 41 * SECOND);

        assertThat(t.decisions).hasSize(2);
        final Decision block = t.decisions.get(1);
        assertThat(block.action()).isEqualTo(Action.BLOCK);
        assertThat(block.rule()).isEqualTo("port25-attempts-1m");
        assertThat(block.host()).isEqualTo(HOST);
        assertThat(block.reason()).isEqualTo(
            "10.0.3.4 made 22 connection attempts to port 25 in the last 1m, above the limit of 20 "
                + "(rule port25-attempts-1m); corroborated by bad dialogues");
        assertThat(block.evidence()).containsEntry("attempts_1m", 22L).containsEntry("attempts_5m", 22L)
            .containsEntry("distinct_destinations_5m", 1L).containsEntry("threshold", 20L)
            .containsEntry("basis", "corroborated: volume and badness evidence");
        assertThat(block.evidence().get("corroborated_by")).asString().contains("bad_rejected=5", "llr=7.52");
        assertThat(block.time()).isEqualTo(Verdicts.toInstant(T0 + 41 * SECOND));
        assertThat(block.expires()).isEqualTo(block.time().plus(Duration.ofHours(2)));
    }

    @Test
    void shouldBlockVolumeWhenAQuarterOfTheAttemptsFail()
    {
        for (int i = 0; i < 21; i++)
        {
            final long at = T0 + i * 2 * SECOND;
            if (i % 4 == 3)
            {
                t.syn(HOST, 40000 + i, server(1), 25, at);
                t.rst(HOST, 40000 + i, server(1), 25, at + 30_000_000L);
            }
            else
            {
                t.session(HOST, 40000 + i, server(1), at);
            }
        }

        assertThat(t.decisions).extracting(Decision::action, Decision::rule)
            .containsExactly(tuple(Action.BLOCK, "port25-attempts-1m"));
        assertThat(t.decisions.get(0).reason()).endsWith("; corroborated by 24% failed connects");
    }

    @Test
    void shouldBlockWhenAttemptsPerFiveMinutesExceedFortyWhileEachMinuteStaysBelowTwenty()
    {
        for (int i = 0; i < 40; i++)
        {
            t.session(HOST, 40000 + i, server(1), T0 + i * 7 * SECOND);
        }
        assertThat(t.decisions).isEmpty();

        t.session(HOST, 40040, server(1), T0 + 280 * SECOND);

        assertThat(t.decisions).extracting(Decision::rule).containsExactly("port25-attempts-5m");
        assertThat(t.decisions.get(0).evidence()).containsEntry("attempts_5m", 41L);
    }

    @Test
    void shouldBlockWhenDistinctPortTwentyFiveDestinationsExceedTenInFiveMinutesWithRefusedDialogues()
    {
        t.refusedSessions(HOST, 5, T0);
        int servers = 0;
        while (t.decisions.isEmpty() && servers < 30)
        {
            final long at = T0 + servers * 20 * SECOND;
            final double before = t.snapshot(HOST, at) == null
                ? 0 : t.detector(HOST, "port25-distinct-5m", at).value();
            assertThat(before).isLessThanOrEqualTo(10.0);
            t.session(HOST, 40000 + servers, server(servers), at);
            servers++;
        }

        assertThat(t.decisions).extracting(Decision::rule).containsExactly("port25-distinct-5m");
        // a lower bound: it fires at the 11th distinct destination unless two of them share a bit
        assertThat(servers).isBetween(11, 13);
        assertThat(t.decisions.get(0).reason()).startsWith("10.0.3.4 tried about 11 distinct destination addresses (estimated)")
            .endsWith("above the limit of 10 (rule port25-distinct-5m); corroborated by bad dialogues");
    }

    @Test
    void shouldBlockWhenHalfOfTwentyAttemptsFail()
    {
        for (int i = 0; i < 20; i++)
        {
            final long at = T0 + i * MINUTE;
            if (i % 2 == 1)
            {
                t.syn(HOST, 40000 + i, server(1), 25, at);
                assertThat(t.decisions).as("after %d attempts", i + 1).isEmpty();
                t.rst(HOST, 40000 + i, server(1), 25, at + SECOND);
            }
            else
            {
                t.session(HOST, 40000 + i, server(1), at);
            }
        }

        assertThat(t.decisions).extracting(Decision::rule).containsExactly("port25-failure-ratio-1h");
        assertThat(t.decisions.get(0).reason()).isEqualTo(
            "10.0.3.4 had 50% of its 20 connection attempts to port 25 fail in the last 1h, at or above the limit "
                + "of 50% (rule port25-failure-ratio-1h)");
        assertThat(t.decisions.get(0).evidence()).containsEntry("observed", 0.5).containsEntry("min_attempts", 20L);
    }

    @Test
    void shouldNotJudgeTheFailureRatioBeforeTheMinimumAttempts()
    {
        for (int i = 0; i < 19; i++)
        {
            t.syn(HOST, 40000 + i, server(1), 25, T0 + i * MINUTE);
            t.rst(HOST, 40000 + i, server(1), 25, T0 + i * MINUTE + SECOND);
        }

        assertThat(t.decisions).isEmpty();
        assertThat(t.detector(HOST, "port25-failure-ratio-1h", T0 + 19 * MINUTE).value()).isNaN();
    }

    @Test
    void shouldEmitOneBlockForAHostHammeringForAnHour()
    {
        for (int i = 0; i < 36_000; i++)
        {
            t.syn(HOST, 1024 + i % 60_000, server(i % 500), 25, T0 + i * 100_000_000L);
        }
        t.analyser.onEnd(T0 + TimeUnit.HOURS.toNanos(1));

        // Unanswered SYNs: an alert from each volume detector as it trips (1m, 5m, distinct 5m), then one block
        // once the first attempts time out and the failures corroborate the volume.
        assertThat(t.decisions).extracting(Decision::action)
            .containsExactly(Action.ALERT, Action.ALERT, Action.ALERT, Action.BLOCK);
        assertThat(t.analyser.stats().synsSeen()).isEqualTo(36_000);
        assertThat(t.analyser.stats().verdictRequests()).isEqualTo(4);
    }

    @Test
    void shouldOnlyAlertForAClassInObserveMode()
    {
        final Traffic observe = new Traffic(Traffic.policy(Port25Mode.OBSERVE, Traffic.DEFAULTS), 100, 100);
        for (int i = 0; i < 120; i++)
        {
            observe.syn(HOST, 40000 + i, server(i), 25, T0 + i * SECOND);
        }

        assertThat(observe.decisions).isNotEmpty().allMatch(d -> d.action() == Action.ALERT);
        assertThat(observe.decisions).extracting(Decision::rule).doesNotHaveDuplicates()
            .contains("port25-attempts-1m", "port25-distinct-5m");
        assertThat(observe.decisions.get(0).reason()).endsWith("(alert only: class residential is in observe mode)");
    }

    @Test
    void shouldOnlyAlertAboutSubmissionPorts()
    {
        for (int i = 0; i < 30; i++)
        {
            t.syn(HOST, 40000 + i, server(1), 587, T0 + i * SECOND);
            t.synAck(HOST, 40000 + i, server(1), 587, T0 + i * SECOND + 1000);
        }

        assertThat(t.decisions).hasSize(1);
        assertThat(t.decisions.get(0).action()).isEqualTo(Action.ALERT);
        assertThat(t.decisions.get(0).rule()).isEqualTo("submission-attempts-1m");
        assertThat(t.decisions.get(0).reason()).contains("connection attempts to submission ports");
        assertThat(relay1m(HOST, T0 + 30 * SECOND).attempts()).isZero();
    }

    @Test
    void shouldAlertOnTooManyConnectionsOpenAtOnce()
    {
        for (int i = 0; i < 6; i++)
        {
            t.syn(HOST, 40000 + i, server(i % 2), 25, T0 + i * 10 * SECOND);
            t.synAck(HOST, 40000 + i, server(i % 2), 25, T0 + i * 10 * SECOND + 1000);
        }

        assertThat(t.decisions).extracting(Decision::rule).containsExactly("port25-concurrent");
        assertThat(t.decisions.get(0).reason())
            .isEqualTo("10.0.3.4 held 6 connections to port 25 open at once, above the limit of 5 "
                + "(rule port25-concurrent)");
    }

    /** A mass-sender reaching 300 port-25 destinations a minute next to a host sending a few mails. */
    private static List<Decision> massSenderAndCleanHost(final Traffic traffic)
    {
        for (int i = 0; i < 3000; i++)
        {
            final long at = T0 + 17 * SECOND + i * 200_000_000L;
            traffic.syn(HOST, 1024 + i, server(i % 700), 25, at);
            if (i % 3 != 0)
            {
                traffic.rst(HOST, 1024 + i, server(i % 700), 25, at + 50_000_000L);
            }
            if (i % 400 == 0)
            {
                traffic.session(CLEAN, 50000 + i, "192.0.2.25", at + 100_000_000L);
            }
        }
        traffic.analyser.onEnd(T0 + 20 * MINUTE);
        return traffic.decisions;
    }

    @Test
    void shouldBlockAMassSenderWithinAMinuteAndLeaveACleanHostAlone()
    {
        final List<Decision> decisions = massSenderAndCleanHost(t);

        final List<Decision> blocks = t.decisionsFor(HOST).stream().filter(d -> d.action() == Action.BLOCK).toList();
        assertThat(blocks).hasSize(1);
        assertThat(Duration.between(Verdicts.toInstant(T0 + 17 * SECOND), blocks.get(0).time()))
            .isLessThan(Duration.ofMinutes(1));
        assertThat(t.decisionsFor(CLEAN)).isEmpty();
        assertThat(decisions).allMatch(d -> d.host().equals(HOST));
    }

    @Test
    void shouldGiveTheSameDecisionsForTheSameInput()
    {
        final List<Decision> first = massSenderAndCleanHost(new Traffic());
        final List<Decision> second = massSenderAndCleanHost(new Traffic());

        assertThat(first).isNotEmpty().isEqualTo(second);
    }

    @Test
    void shouldKeepReportDetailForAFlaggedHost()
    {
        massSenderAndCleanHost(t);

        final List<FlaggedHost> flagged = t.analyser.flaggedHosts();
        assertThat(flagged).hasSize(1);
        final FlaggedHost host = flagged.get(0);
        assertThat(host.host()).isEqualTo(HOST);
        assertThat(host.hostClass()).isEqualTo("residential");
        assertThat(host.rules()).extracting(FlaggedHost.RuleFiring::rule).containsExactly("port25-distinct-5m");
        assertThat(host.rules().get(0).observed()).isGreaterThan(host.rules().get(0).threshold());
        assertThat(host.topDestinations()).hasSize(10);
        // 5 a second from 17 s past the hour to 616.8 s; the first minute is whole although it fired at 19 s
        assertThat(host.attemptsPerMinute()).extracting(FlaggedHost.MinuteCount::attempts)
            .containsExactly(215L, 300L, 300L, 300L, 300L, 300L, 300L, 300L, 300L, 300L, 85L);
        assertThat(host.attemptsPerMinute().get(0).minute()).isEqualTo(Verdicts.toInstant(T0));
        assertThat(host.attemptsByPort()).containsOnlyKeys(25);
        assertThat(host.firstSeen()).isBefore(host.firstFlagged());
        assertThat(host.lastSeen()).isAfter(host.firstFlagged());
    }

    @Test
    void shouldCountAttemptsTheBlockRefusedApartFromTheDestinationsReached()
    {
        // 12 distinct servers in 12 s after refused dialogues: port25-distinct-5m blocks the host at the 11th
        t.refusedSessions(HOST, 5, T0);
        for (int i = 0; i < 12; i++)
        {
            t.syn(HOST, 2000 + i, server(i), 25, T0 + i * SECOND);
        }
        assertThat(t.decisionsFor(HOST)).extracting(Decision::action).contains(Action.BLOCK);
        // then, blocked, it hammers one new server: the firewall refuses every one of these
        for (int i = 0; i < 50; i++)
        {
            t.syn(HOST, 3000 + i, server(600), 25, T0 + 20 * SECOND + i * 100_000_000L);
        }

        final FlaggedHost host = t.analyser.flaggedHosts().get(0);
        final FlaggedHost.DestinationCount refused = host.topDestinations().stream()
            .filter(d -> d.address().equals(server(600))).findFirst().orElseThrow();
        assertThat(refused.attempts()).as("reached").isZero();
        assertThat(refused.whileBlocked()).isEqualTo(50);
        assertThat(host.attemptsWhileBlocked()).isGreaterThanOrEqualTo(50);
        assertThat(host.attemptsPerMinute().stream().mapToLong(FlaggedHost.MinuteCount::attempts).sum())
            .as("the timeline still shows them").isGreaterThanOrEqualTo(50);
    }

    @Test
    void shouldForgetAHostIdleLongerThanTheLongestWindow()
    {
        t.syn(HOST, 40000, server(1), 25, T0);
        t.analyser.onTick(T0 + 30 * MINUTE);
        assertThat(t.snapshot(HOST, T0 + 30 * MINUTE)).isNotNull();

        t.analyser.onTick(T0 + 62 * MINUTE);
        t.analyser.onEnd(T0 + 62 * MINUTE);

        assertThat(t.snapshot(HOST, T0 + 62 * MINUTE)).isNull();
        assertThat(t.analyser.stats().trackedHosts()).isZero();
        assertThat(t.analyser.stats().idleEvictions()).isEqualTo(1);
    }

    @Test
    void shouldStayWithinTheCapUnderASpoofedSourceFloodAndStillBlockTheRealSender()
    {
        final Traffic flood = new Traffic(Traffic.policy(Port25Mode.DETECT_THEN_BLOCK, Traffic.DEFAULTS), 1000, 500);
        // The real sender's dialogues were refused (what the SMTP analyser tells the sequential test).
        flood.refusedSessions(HOST, 5, T0);
        for (int i = 0; i < 3000; i++)
        {
            final long at = T0 + i * 10_000_000L;
            flood.syn("10.1." + (i >>> 8) + "." + (i & 0xff), 40000, server(1), 25, at);
            if (i % 10 == 0)
            {
                flood.syn(HOST, 1024 + i, server(i), 25, at);
            }
            assertThat(flood.analyser.stats().trackedHosts()).isLessThanOrEqualTo(1000);
        }
        flood.analyser.onEnd(T0 + 30 * SECOND);

        final RateStats stats = flood.analyser.stats();
        assertThat(stats.trackedHosts()).isEqualTo(1000);
        assertThat(stats.capacityEvictions()).isEqualTo(3001 - 1000);
        // every attempt was either evicted from the full table, timed out, or is still there
        assertThat(stats.connectionEvictions() + stats.failuresDetected() + stats.connectionsTracked())
            .isEqualTo(3300);
        assertThat(stats.connectionEvictions()).isGreaterThan(2000);
        assertThat(stats.connectionsTracked()).isLessThanOrEqualTo(500);
        assertThat(flood.decisionsFor(HOST)).extracting(Decision::action).endsWith(Action.BLOCK);
    }

    @Test
    void shouldKeepHostStateAcrossAPolicyReload()
    {
        for (int i = 0; i < 15; i++)
        {
            t.session(HOST, 40000 + i, server(1), T0 + i * SECOND);
        }
        t.policy = Traffic.policy(Port25Mode.DETECT_THEN_BLOCK, List.of(Traffic.ATTEMPTS_1M.withThreshold(15)));

        t.session(HOST, 40015, server(1), T0 + 15 * SECOND);

        assertThat(t.decisions).extracting(Decision::rule).containsExactly("port25-attempts-1m");
        assertThat(t.decisions.get(0).evidence()).containsEntry("attempts_1m", 16L).containsEntry("threshold", 15L);
    }

    @Test
    void shouldStartANewWindowEmptyWhenAReloadAddsIt()
    {
        t.session(HOST, 40000, server(1), T0);
        t.policy = Traffic.policy(Port25Mode.DETECT_THEN_BLOCK, List.of(Traffic.ATTEMPTS_1M,
            new RateDetector("port25-attempts-2m",
            RateMetric.ATTEMPTS, PortGroup.RELAY, Duration.ofMinutes(2), 3, 0, Action.BLOCK)));
        t.analyser.onTick(T0 + SECOND);

        assertThat(counts(HOST, Duration.ofMinutes(2), PortGroup.RELAY, T0 + SECOND).attempts()).isZero();
        assertThat(relay1m(HOST, T0 + SECOND).attempts()).isEqualTo(1.0);
    }

    @Test
    void shouldExplainEachDetectorAgainstItsThreshold()
    {
        for (int i = 0; i < 5; i++)
        {
            t.syn(HOST, 40000 + i, server(i), 25, T0 + i * SECOND);
        }

        final HostSnapshot snapshot = t.snapshot(HOST, T0 + 5 * SECOND);
        assertThat(t.snapshot(CLEAN, T0 + 5 * SECOND)).as("a host never seen").isNull();
        assertThat(snapshot.hostClass()).isEqualTo("residential");
        assertThat(snapshot.detectors()).extracting(HostSnapshot.DetectorValue::rule)
            .containsExactly("port25-attempts-1m", "port25-attempts-5m", "port25-distinct-5m",
                "port25-failure-ratio-1h", "submission-attempts-1m", "port25-concurrent");
        final HostSnapshot.DetectorValue attempts = snapshot.detectors().get(0);
        assertThat(attempts.value()).isEqualTo(5.0);
        assertThat(attempts.threshold()).isEqualTo(20.0);
        assertThat(attempts.firing()).isFalse();
        assertThat(snapshot.windows()).extracting(HostSnapshot.WindowCounts::window).containsExactly(
            Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(5),
            Duration.ofHours(1), Duration.ofHours(1));
        assertThat(counts(HOST, Duration.ofMinutes(1), PortGroup.RELAY, T0 + 5 * SECOND).distinctDestinations())
            .isEqualTo(-1.0);
        assertThat(counts(HOST, Duration.ofMinutes(5), PortGroup.RELAY, T0 + 5 * SECOND).distinctDestinations())
            .isBetween(4.0, 5.0);
    }

    @Test
    void shouldBlockAnIpv6HostAndNameItInRfc5952Text()
    {
        final Traffic v6 = new Traffic(Traffic.policy6(), 100, 100);
        for (int i = 0; i < 21; i++)
        {
            v6.session("2001:db8:0:0:0:0:0:3", 40000 + i, "2001:db8:ffff::25", T0 + i * SECOND);
        }

        assertThat(v6.decisions).extracting(Decision::host, Decision::rule)
            .containsExactly(tuple("2001:db8::3", "port25-attempts-1m"));
    }

    @Test
    void shouldNotMiscountWhenCaptureTimeStepsBackSlightly()
    {
        t.session(HOST, 40000, server(1), T0 + 61 * SECOND);
        t.session(HOST, 40001, server(2), T0 + 59 * SECOND);

        assertThat(relay1m(HOST, T0 + 61 * SECOND).attempts()).isEqualTo(2.0);
    }

    @Test
    void shouldBlockAgainForLongerWhenTheHostKeepsGoingAfterItsBlockEnds()
    {
        for (int i = 0; i < 3 * 3600; i++)
        {
            t.syn(HOST, 1024 + i % 60_000, server(i % 50), 25, T0 + i * SECOND);
        }

        assertThat(t.decisions).filteredOn(d -> d.action() == Action.BLOCK).extracting(Decision::strikes)
            .containsExactly(1, 2);
        final List<Decision> blocks = t.decisions.stream().filter(d -> d.action() == Action.BLOCK).toList();
        assertThat(Duration.between(blocks.get(0).time(), blocks.get(1).time()))
            .isBetween(Duration.ofHours(2), Duration.ofHours(2).plusMinutes(1));
        assertThat(blocks.get(1).expires()).isEqualTo(blocks.get(1).time().plus(Duration.ofHours(24)));
    }

    @Test
    void shouldKeepTheFlaggedHostDetailBounded()
    {
        final Traffic many = new Traffic(Traffic.policy(Port25Mode.OBSERVE, Traffic.DEFAULTS), 1000, 1000, 5);
        for (int host = 0; host < 20; host++)
        {
            for (int i = 0; i < 21; i++)
            {
                many.session("10.0.7." + host, 40000 + i, server(1), T0 + host * MINUTE + i * SECOND);
            }
        }

        assertThat(many.decisions).hasSize(20);
        assertThat(many.analyser.flaggedHosts()).hasSize(5);
    }

    @Test
    void shouldShowTheMinuteBeforeTheFirstFiringInTheReport()
    {
        for (int i = 0; i < 15; i++)
        {
            t.session(HOST, 40000 + i, server(1), T0 + 45 * SECOND + i * SECOND);
        }
        for (int i = 0; i < 8; i++)
        {
            t.session(HOST, 41000 + i, server(1), T0 + MINUTE + i * SECOND);
        }

        assertThat(t.decisions).extracting(Decision::rule).containsExactly("port25-attempts-1m");
        assertThat(t.analyser.flaggedHosts().get(0).attemptsPerMinute()).extracting(FlaggedHost.MinuteCount::attempts)
            .containsExactly(15L, 8L);
    }

    @Test
    void shouldJudgeAHostAfreshWhenItsBlockIsLiftedEarly()
    {
        for (int i = 0; i < 21; i++)
        {
            t.syn(HOST, 40000 + i, server(1), 25, T0 + i * SECOND);
        }
        final long[] host = Traffic.ip(HOST);
        t.verdicts.liftBlock(new HostKey(host[0], host[1]));
        t.syn(HOST, 40100, server(1), 25, T0 + 22 * SECOND);
        assertThat(t.decisions).hasSize(1);

        t.analyser.clearSuppression(host[0], host[1]);
        t.syn(HOST, 40101, server(1), 25, T0 + 23 * SECOND);

        assertThat(t.decisions).extracting(Decision::action, Decision::strikes).containsExactly(
            tuple(Action.BLOCK, 1), tuple(Action.BLOCK, 2));
    }
}
