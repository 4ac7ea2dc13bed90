package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.tuple;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.policy.Port25Mode;
import org.junit.jupiter.api.Test;

/** Resets, holds, corroboration, decisions' words, bounds on memory and the absence of allocation. */
class SequentialVerdictStateTest
{
    private static final long T0 = SprtBench.T0;
    private static final long MINUTE = SprtBench.MINUTE;

    private final SprtBench bench = new SprtBench(SprtBench.CHOSEN);

    /** {@code count} bad observations of one kind, a minute apart from {@code start}; returns the last time. */
    private long bads(final int host, final int kind, final int count, final long start)
    {
        long now = start;
        for (int i = 0; i < count; i++)
        {
            now += MINUTE;
            bench.bad(host, kind, now);
        }
        return now;
    }

    @Test
    void shouldRestartTheTestAfterAnHourWithoutObservations()
    {
        final long last = bads(1, SequentialVerdict.BAD_REJECTED, 9, T0);
        assertThat(bench.snapshot(1, last).llr()).isCloseTo(9 * SprtBench.badStep(SprtBench.CHOSEN),
            offset(1e-9));

        final long resumed = bads(1, SequentialVerdict.BAD_REJECTED, 9, last + 60 * MINUTE);

        assertThat(bench.decisions).isEmpty();
        assertThat(bench.snapshot(1, resumed).rejected()).isEqualTo(9);
        assertThat(bench.snapshot(1, resumed + 61 * MINUTE).tracked()).isFalse();
    }

    @Test
    void shouldDecideAcrossAGapShorterThanTheIdleReset()
    {
        final long last = bads(1, SequentialVerdict.BAD_REJECTED, 9, T0);

        bads(1, SequentialVerdict.BAD_REJECTED, 1, last + 58 * MINUTE);

        assertThat(bench.decisions).extracting(Decision::action).containsExactly(Action.BLOCK);
    }

    @Test
    void shouldRestartAtZeroWhenTheTestFallsToTheCleanBound()
    {
        bench.good(1, T0);
        bench.good(1, T0 + MINUTE);
        assertThat(bench.snapshot(1, T0 + MINUTE).llr()).isCloseTo(-4.16, offset(0.01));

        bench.good(1, T0 + 2 * MINUTE);

        final SprtSnapshot snapshot = bench.snapshot(1, T0 + 2 * MINUTE);
        assertThat(snapshot.tracked()).isTrue();
        assertThat(snapshot.llr()).isZero();
        assertThat(snapshot.observations()).isZero();
        assertThat(bench.sprt.cleanVerdicts()).isEqualTo(1);
        // a fresh test needs all ten bad observations again
        bads(1, SequentialVerdict.BAD_REJECTED, 9, T0 + 2 * MINUTE);
        assertThat(bench.decisions).isEmpty();
    }

    @Test
    void shouldCorroborateOnlyFromFiveBadSessionsNotFromOneBounceOrFailedConnects()
    {
        assertThat(bench.corroborates(1, T0)).isFalse();

        // connect failures carry no step: the rate analyser weighs them as a share of attempts
        bads(1, SequentialVerdict.BAD_CONNECT_FAILED, 20, T0);
        assertThat(bench.corroborates(1, T0 + 20 * MINUTE)).isFalse();

        // four client-level refusals (6.02) fall short of the bound ln(0.99 / 0.001) = 6.90; the fifth reaches it
        final long fourth = bads(2, SequentialVerdict.BAD_REJECTED, 4, T0);
        assertThat(bench.corroborates(2, fourth)).isFalse();
        bench.bad(2, SequentialVerdict.BAD_REJECTED, fourth + MINUTE);
        assertThat(bench.corroborates(2, fourth + MINUTE)).isTrue();
        assertThat(bench.corroborates(2, fourth + 62 * MINUTE)).isFalse();

        // unknown recipients are weaker (ln 3 = 1.10 each): six are 6.59, seven 7.69
        final long sixth = bads(3, SequentialVerdict.BAD_UNKNOWN_USERS, 6, T0);
        assertThat(bench.corroborates(3, sixth)).isFalse();
        bench.bad(3, SequentialVerdict.BAD_UNKNOWN_USERS, sixth + MINUTE);
        assertThat(bench.corroborates(3, sixth + MINUTE)).isTrue();

        // one accepted message takes 2.08 off
        bench.good(3, sixth + 2 * MINUTE);
        assertThat(bench.corroborates(3, sixth + 2 * MINUTE)).isFalse();
        assertThat(bench.sprt.missing(SprtBench.HI, SprtBench.lo(3), sixth + 2 * MINUTE)).isEqualTo(
            "the host's dialogues do not show badness: sequential test sprt at 5.6, corroboration needs 6.9"
                + " (1 accepted, 7 bad)");
    }

    @Test
    void shouldHoldTheDecidedTestUntilTheBlockEndsThenBlockARepeatOffenderLonger()
    {
        final long decided = bads(1, SequentialVerdict.BAD_BLOCKLIST, 10, T0);
        assertThat(bench.decisions).singleElement().satisfies(d -> {
            assertThat(d.expires()).isEqualTo(d.time().plus(Duration.ofMinutes(10)));
            assertThat(d.strikes()).isEqualTo(1);
        });

        // blocked: further attempts are not judged and make no decisions
        bench.good(1, decided + MINUTE);
        bads(1, SequentialVerdict.BAD_BLOCKLIST, 5, decided + MINUTE);
        final SprtSnapshot held = bench.snapshot(1, decided + 7 * MINUTE);
        assertThat(held.decided()).isTrue();
        assertThat(held.blocklist()).isEqualTo(10);
        assertThat(held.good()).isZero();
        assertThat(bench.corroborates(1, decided + 7 * MINUTE)).isTrue();

        // after the block a fresh test starts; ten more bad sessions block it again, for the next step
        final long again = bads(1, SequentialVerdict.BAD_BLOCKLIST, 9, decided + 10 * MINUTE);
        assertThat(bench.decisions).hasSize(1);
        assertThat(bench.snapshot(1, again).decided()).isFalse();
        bads(1, SequentialVerdict.BAD_BLOCKLIST, 1, again);

        assertThat(bench.decisions).hasSize(2);
        assertThat(bench.decisions.get(1).strikes()).isEqualTo(2);
        assertThat(bench.decisions.get(1).evidence()).containsEntry("block_seconds", 3600L);
        assertThat(bench.sprt.decisions()).isEqualTo(2);
    }

    @Test
    void shouldOnlyAlertWhenHeloOdditiesAreTheOnlyBadObservations()
    {
        bads(1, SequentialVerdict.BAD_HELO, 10, T0);
        bads(2, SequentialVerdict.BAD_HELO, 9, T0);
        bads(2, SequentialVerdict.BAD_NO_DATA, 1, T0 + 9 * MINUTE);

        assertThat(bench.decisions).extracting(Decision::host, Decision::action).containsExactly(
            tuple("10.0.0.1", Action.ALERT),
            tuple("10.0.0.2", Action.BLOCK));
        assertThat(bench.decisions.get(0).reason()).endsWith("only HELO oddities, which alone never block");
    }

    @Test
    void shouldOnlyAlertForAClassInObserveMode()
    {
        final SprtBench observing = new SprtBench(SprtBench.CHOSEN, Port25Mode.OBSERVE, 100);
        for (int i = 1; i <= 10; i++)
        {
            observing.bad(1, SequentialVerdict.BAD_BLOCKLIST, T0 + i * MINUTE);
        }

        assertThat(observing.decisions).extracting(Decision::action).containsExactly(Action.ALERT);
        assertThat(observing.decisions.get(0).reason()).contains("observe mode");
    }

    @Test
    void shouldExplainTheDecisionWithTheCountOfEachKindAndTheRatioAgainstTheBound()
    {
        long now = T0;
        final int[] kinds = {
            SequentialVerdict.BAD_BLOCKLIST, SequentialVerdict.BAD_BLOCKLIST, -1, SequentialVerdict.BAD_BLOCKLIST,
            SequentialVerdict.BAD_REJECTED, -1, SequentialVerdict.BAD_BLOCKLIST, SequentialVerdict.BAD_REJECTED,
            SequentialVerdict.BAD_BLOCKLIST, SequentialVerdict.BAD_REJECTED, SequentialVerdict.BAD_BLOCKLIST,
            SequentialVerdict.BAD_REJECTED, SequentialVerdict.BAD_BLOCKLIST, SequentialVerdict.BAD_CONNECT_FAILED,
            SequentialVerdict.BAD_BLOCKLIST};
        for (final int kind : kinds)
        {
            now += MINUTE;
            if (kind < 0)
            {
                bench.good(7, now);
            }
            else
            {
                bench.bad(7, kind, now);
            }
            if (kind == SequentialVerdict.BAD_REJECTED)
            {
                bench.sprt.observeEncrypted(SprtBench.HI, SprtBench.lo(7), now);
            }
        }

        assertThat(bench.decisions).singleElement().satisfies(d -> {
            assertThat(d.rule()).isEqualTo("sprt");
            // the connect failure is counted but carries no step: 11 x 1.504 - 2 x 2.079 = 12.39 would fall short,
            // so the decision comes at the 15th observation
            assertThat(d.reason()).isEqualTo("10.0.0.7 failed the sequential spambot test: 13 of its last 15 SMTP"
                + " attempts were bad (blocklist reply 8, rejected by the server 4, connect failed 1) and 2 accepted;"
                + " log-likelihood ratio 13.9 reached the spambot bound 13.8 (alpha 0.000001, beta 0.01, theta0 0.2,"
                + " theta1 0.9, rule sprt)");
            assertThat(d.evidence())
                .containsEntry("observations", 15).containsEntry("good", 2).containsEntry("bad", 13)
                .containsEntry("bad_blocklist", 8).containsEntry("bad_rejected", 4)
                .containsEntry("bad_connect_failed", 1).containsEntry("bad_no_data", 0).containsEntry("bad_helo", 0)
                .containsEntry("encrypted", 4).containsEntry("llr", 13.89).containsEntry("upper_bound", 13.81)
                .containsEntry("alpha", 1e-6).containsEntry("theta1", 0.9);
        });
    }

    @Test
    void shouldNeitherStartNorJudgeATestOnEncryptedSessionsOrUnknownKinds()
    {
        bench.sprt.observeEncrypted(SprtBench.HI, SprtBench.lo(1), T0);
        bench.bad(1, 6, T0);
        bench.bad(1, -1, T0);

        assertThat(bench.sprt.trackedHosts()).isZero();
        assertThat(bench.sprt.encryptedSessions()).isEqualTo(1);
    }

    @Test
    void shouldReweighRunningTestsWhenTheParametersAreReloaded()
    {
        final long last = bads(1, SequentialVerdict.BAD_REJECTED, 5, T0);
        assertThat(bench.decisions).isEmpty();

        bench.policy = bench.policy.toBuilder().sprt(SprtBench.SPOT).build();
        bench.bad(1, SequentialVerdict.BAD_REJECTED, last + MINUTE);

        // six bad observations are 9.0, past SPOT's bound of 4.6
        assertThat(bench.decisions).singleElement()
            .satisfies(d -> assertThat(d.evidence()).containsEntry("upper_bound", 4.6));
    }

    @Test
    void shouldStayWithinItsCapUnderAFloodOfDistinctHostsAndStillConvictAnActiveSpambot()
    {
        final List<Object> first = flood();
        final List<Object> second = flood();

        assertThat(first).isEqualTo(second);
    }

    /** 100,000 one-off hosts through a table of 1,000, and a spambot every 50th observation; deterministic. */
    private static List<Object> flood()
    {
        final SprtBench flooded = new SprtBench(SprtBench.CHOSEN, Port25Mode.DETECT_THEN_BLOCK, 1000);
        long now = T0;
        for (int host = 1; host <= 100_000; host++)
        {
            now += 1_000_000L;
            flooded.bad(host, SequentialVerdict.BAD_CONNECT_FAILED, now);
            if (host % 50 == 0)
            {
                flooded.bad(0xABCDEF, SequentialVerdict.BAD_BLOCKLIST, now);
            }
        }

        assertThat(flooded.sprt.trackedHosts()).isEqualTo(1000);
        assertThat(flooded.sprt.evictions()).isEqualTo(100_000 + 1 - 1000);
        assertThat(flooded.decisions).extracting(Decision::host).containsExactly("10.171.205.239");
        assertThat(flooded.snapshot(100_000, now).tracked()).isTrue();
        final List<Object> survivors = new ArrayList<>();
        for (int host = 1; host <= 100_000; host++)
        {
            if (flooded.snapshot(host, now).tracked())
            {
                survivors.add(host);
            }
        }
        survivors.add(flooded.decisions.get(0).time());
        return survivors;
    }

    @Test
    void shouldForgetHostsIdlePastTheResetOnTicks()
    {
        for (int host = 1; host <= 500; host++)
        {
            bench.bad(host, SequentialVerdict.BAD_REJECTED, T0 + host * 1_000_000L);
        }
        bench.good(1000, T0 + 30 * MINUTE);
        bench.sprt.onTick(T0);

        bench.sprt.onTick(T0 + 62 * MINUTE);

        assertThat(bench.sprt.trackedHosts()).isEqualTo(1);
        assertThat(bench.sprt.idleExpiries()).isEqualTo(500);
        assertThat(bench.sprt.evictions()).isZero();
    }

    @Test
    void shouldNotAllocatePerObservation()
    {
        final SequentialVerdict sprt = bench.sprt;
        final long[] lo = new long[1000];
        for (int i = 0; i < lo.length; i++)
        {
            lo[i] = SprtBench.lo(i);
        }
        // bad then good per host, forever below the spambot bound; the first pass grows the table
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().threadId();
        long before = 0;
        for (int pass = 0; pass < 50; pass++)
        {
            if (pass == 1)
            {
                before = threads.getThreadAllocatedBytes(threadId);
            }
            final long now = T0 + pass * MINUTE;
            for (int i = 0; i < lo.length; i++)
            {
                sprt.observeBad(SprtBench.HI, lo[i], bench.hostClass, SequentialVerdict.BAD_REJECTED, now);
                sprt.observeGood(SprtBench.HI, lo[i], bench.hostClass, now);
                sprt.corroborates(SprtBench.HI, lo[i], now);
            }
            sprt.onTick(now);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        // 147,000 calls
        assertThat(allocated).isLessThan(10_000);
        assertThat(bench.decisions).isEmpty();
    }
}
