package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.egress25.host.Action;
import org.egress25.policy.SprtRules;
import org.junit.jupiter.api.Test;

/**
 * Calibration of alpha on the traffic rules/README.md's "Sequential verdict (SPRT)" names: a small legitimate MTA with greylisting and bounces must
 * never be convicted, slow and mass spambots must be, quickly. The figures in {@code rules/README.md} come from
 * here.
 */
class SequentialVerdictCalibrationTest
{
    private static final long DAY = 24 * SprtBench.HOUR;

    /** Counts of what a simulated host reported. */
    private static final class Tally
    {
        int good;
        int bad;
    }

    /**
     * A small MTA: a session every 1 to 5 minutes (uniform, about 480 a day); 8% are greylisted (450 at RCPT, a
     * bad observation) and retried 5 to 30 minutes later, accepted; 2% bounce (550 5.1.1, bad); the rest are
     * accepted. Returns what it reported.
     */
    private static Tally smallMta(final SprtBench bench, final int host, final long days, final long seed)
    {
        final Random random = new Random(seed);
        final PriorityQueue<Long> retries = new PriorityQueue<>();
        final Tally tally = new Tally();
        final long end = SprtBench.T0 + days * DAY;
        long next = SprtBench.T0;
        while (next - end < 0)
        {
            if (!retries.isEmpty() && retries.peek() - next <= 0)
            {
                bench.good(host, retries.poll());
                tally.good++;
                continue;
            }
            final double roll = random.nextDouble();
            if (roll < 0.08)
            {
                bench.bad(host, SequentialVerdict.BAD_REJECTED, next);
                retries.add(next + (5 + random.nextInt(26)) * SprtBench.MINUTE);
                tally.bad++;
            }
            else if (roll < 0.10)
            {
                bench.bad(host, SequentialVerdict.BAD_REJECTED, next);
                tally.bad++;
            }
            else
            {
                bench.good(host, next);
                tally.good++;
            }
            next += SprtBench.MINUTE + (long)(random.nextDouble() * 4 * SprtBench.MINUTE);
        }
        return tally;
    }

    /**
     * The exact chance that a test with the given parameters crosses the spambot bound within {@code n}
     * observations that are each bad with probability {@code q}, restarting at 0 on the clean bound. The walk's
     * states are lattice points (bad count, good count) of the current test, so a map from LLR to probability
     * is exact; it holds a few dozen states.
     */
    static double crossingProbability(final SprtRules rules, final double q, final int n)
    {
        final double a = SprtBench.badStep(rules);
        final double b = SprtBench.goodStep(rules);
        Map<Long, Double> states = new HashMap<>();
        states.put(0L, 1.0);
        double crossed = 0;
        for (int i = 0; i < n; i++)
        {
            final Map<Long, Double> next = new HashMap<>();
            for (final Map.Entry<Long, Double> state : states.entrySet())
            {
                final double llr = state.getKey() / 1e9;
                crossed += step(rules, llr + a, state.getValue() * q, next);
                crossed += step(rules, llr + b, state.getValue() * (1 - q), next);
            }
            states = next;
        }
        return crossed;
    }

    /** Moves probability mass to a new LLR; returns the mass that crossed the spambot bound. */
    private static double step(final SprtRules rules, final double llr, final double mass, final Map<Long, Double> into)
    {
        if (llr >= rules.upperBound())
        {
            return mass;
        }
        final long key = llr <= rules.lowerBound() ? 0L : Math.round(llr * 1e9);
        into.merge(key, mass, Double::sum);
        return 0;
    }

    private static double perYear(final double perDay)
    {
        return 1 - Math.pow(1 - perDay, 365);
    }

    @Test
    void shouldGiveACleanMtaARealChanceOfConvictionWithSpotParametersButNotWithTheChosenOnes()
    {
        // 480 sessions a day, 10% of them bad: four bad sessions in a row convict under SPOT's alpha = 0.01
        final double spot = crossingProbability(SprtBench.SPOT, 0.10, 480);
        final double chosen = crossingProbability(SprtBench.CHOSEN, 0.10, 480);
        final double sloppy = crossingProbability(SprtBench.CHOSEN, 0.13, 480);

        assertThat(spot).isBetween(0.015, 0.03);
        assertThat(perYear(spot)).isGreaterThan(0.99);
        assertThat(chosen).isLessThan(1e-7);
        assertThat(perYear(chosen)).isLessThan(2e-5);
        assertThat(perYear(sloppy)).isLessThan(5e-4);
    }

    @Test
    void shouldNeverConvictASmallMtaWithGreylistingAndBouncesOverADay()
    {
        final SprtBench bench = new SprtBench(SprtBench.CHOSEN);

        final Tally tally = smallMta(bench, 1, 1, 0xDA7L);

        assertThat(tally.good + tally.bad).isBetween(450, 600);
        assertThat(bench.decisions).isEmpty();
        assertThat(bench.sprt.cleanVerdicts()).isGreaterThan(100);
    }

    @Test
    void shouldNeverConvictASmallMtaOverAYearWithTheChosenParameters()
    {
        final SprtBench bench = new SprtBench(SprtBench.CHOSEN);

        final Tally tally = smallMta(bench, 1, 365, 0x1EA7L);

        assertThat((double)tally.bad / (tally.good + tally.bad)).isBetween(0.08, 0.10);
        assertThat(bench.decisions).isEmpty();
    }

    @Test
    void shouldConvictTheSameMtaWithinAYearWithSpotParameters()
    {
        final SprtBench bench = new SprtBench(SprtBench.SPOT);

        smallMta(bench, 1, 365, 0x1EA7L);

        // six blocks in the year (each a run of 4 bad sessions), as the 2% a day computed above predicts
        assertThat(bench.decisions).hasSizeGreaterThanOrEqualTo(3).allMatch(d -> d.action() == Action.BLOCK);
    }

    @Test
    void shouldConvictNinetyNineInAHundredSlowSpambotsWithinAQuarterOfAnHour()
    {
        // 3 sessions a minute; 75% meet a blocklist reply naming the host, 5% are otherwise rejected, 20% get a
        // message through: drift 0.8 x 1.50 - 0.2 x 2.08 = 0.79 a session, so Wald expects 13.8 / 0.79 = 17.5
        final SprtBench bench = new SprtBench(SprtBench.CHOSEN);
        final Random random = new Random(0x510BL);
        final int bots = 1000;
        long totalObservations = 0;
        final int[] sessions = new int[bots];
        for (int bot = 0; bot < bots; bot++)
        {
            long now = SprtBench.T0;
            int n = 0;
            while (bench.sprt.decisions() == bot)
            {
                now += (long)(-Math.log(1 - random.nextDouble()) * 20 * SprtBench.SECOND);
                n++;
                final double roll = random.nextDouble();
                if (roll < 0.75)
                {
                    bench.bad(bot, SequentialVerdict.BAD_BLOCKLIST, now);
                }
                else if (roll < 0.80)
                {
                    bench.bad(bot, SequentialVerdict.BAD_REJECTED, now);
                }
                else
                {
                    bench.good(bot, now);
                }
            }
            totalObservations += n;
            sessions[bot] = n;
        }

        assertThat(bench.decisions).hasSize(bots).allMatch(d -> d.action() == Action.BLOCK);
        // measured: mean 18.3 sessions (6 minutes), median 17, 90th percentile 29, 99th 42, slowest 63 (21 min);
        // the slow tail are bots whose test first fell to the clean bound on a lucky run of accepted sessions
        assertThat((double)totalObservations / bots).isBetween(17.5, 20.0);
        Arrays.sort(sessions);
        // 45 sessions are 15 minutes at 3 a minute
        assertThat(sessions[bots * 99 / 100 - 1]).isLessThanOrEqualTo(45);
    }

    /**
     * Failed connects alone never convict, under any parameters: the test never sees an encrypted session's
     * success as good, so for a clean STARTTLS-only MTA a count of its rare failures would only ever grow. A
     * scan (mostly failed connects) is the failure-ratio rule's decision, and failures corroborate volume as
     * a share of attempts in the rate analyser.
     */
    @Test
    void shouldNeverConvictOnFailedConnectsAloneWithChosenOrSpotParameters()
    {
        for (final SprtRules rules : new SprtRules[] {SprtBench.CHOSEN, SprtBench.SPOT})
        {
            final SprtBench bench = new SprtBench(rules);
            long now = SprtBench.T0;
            for (int attempt = 1; attempt <= 500; attempt++)
            {
                now += 20_000_000L;
                bench.bad(7, SequentialVerdict.BAD_CONNECT_FAILED, now);
            }
            assertThat(bench.decisions).as("alpha %s", rules.alpha()).isEmpty();
            assertThat(bench.snapshot(7, now).connectFailed()).isEqualTo(500);
            assertThat(bench.snapshot(7, now).llr()).isZero();
        }
    }
}
