package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WindowSlotTest
{
    private static final long MINUTE = Traffic.MINUTE;
    private static final long SECOND = Traffic.SECOND;
    private static final long T0 = Traffic.T0;
    private static final int ROW = 3;

    private final WindowSlot slot = new WindowSlot();

    WindowSlotTest()
    {
        slot.assign(MINUTE, 8, true);
    }

    private void attempts(final int n)
    {
        for (int i = 0; i < n; i++)
        {
            slot.add(ROW, WindowSlot.RELAY, WindowSlot.ATTEMPTS);
        }
    }

    private double relayAttempts(final long lastSeen, final long now)
    {
        return slot.estimate(ROW, 1, WindowSlot.ATTEMPTS, lastSeen, now);
    }

    @Test
    void shouldCountExactlyWithinTheFirstBucket()
    {
        attempts(30);

        assertThat(relayAttempts(T0 + 10 * SECOND, T0 + 59 * SECOND)).isEqualTo(30.0);
    }

    @Test
    void shouldDecayThePreviousBucketLinearlyAsTheWindowSlides()
    {
        attempts(30);

        assertThat(relayAttempts(T0 + 50 * SECOND, T0 + 60 * SECOND)).isEqualTo(30.0);
        assertThat(relayAttempts(T0 + 50 * SECOND, T0 + 75 * SECOND)).isCloseTo(22.5, within(1e-9));
        assertThat(relayAttempts(T0 + 50 * SECOND, T0 + 90 * SECOND)).isCloseTo(15.0, within(1e-9));
        assertThat(relayAttempts(T0 + 50 * SECOND, T0 + 120 * SECOND - 1)).isCloseTo(0.0, within(1e-6));
        assertThat(relayAttempts(T0 + 50 * SECOND, T0 + 120 * SECOND)).isEqualTo(0.0);
    }

    @Test
    void shouldRollCurrentIntoPreviousWhenTheHostIsSeenInTheNextBucket()
    {
        attempts(30);
        slot.roll(ROW, T0 + 50 * SECOND, T0 + 70 * SECOND);
        attempts(4);

        // 4 now + 30 * (1 - 10/60)
        assertThat(relayAttempts(T0 + 70 * SECOND, T0 + 70 * SECOND)).isCloseTo(29.0, within(1e-9));
        assertThat(slot.current(ROW, WindowSlot.RELAY, WindowSlot.ATTEMPTS)).isEqualTo(4);
    }

    @Test
    void shouldForgetEverythingAfterTwoIdleBuckets()
    {
        attempts(30);
        slot.roll(ROW, T0, T0 + 2 * MINUTE);

        assertThat(relayAttempts(T0 + 2 * MINUTE, T0 + 2 * MINUTE)).isZero();
    }

    @Test
    void shouldKeepGroupsApartAndSumThemForAny()
    {
        attempts(5);
        slot.add(ROW, WindowSlot.SUBMISSION, WindowSlot.ATTEMPTS);

        assertThat(slot.estimate(ROW, 1, WindowSlot.ATTEMPTS, T0, T0)).isEqualTo(5.0);
        assertThat(slot.estimate(ROW, 2, WindowSlot.ATTEMPTS, T0, T0)).isEqualTo(1.0);
        assertThat(slot.estimate(ROW, 3, WindowSlot.ATTEMPTS, T0, T0)).isEqualTo(6.0);
        assertThat(slot.estimate(ROW + 1, 3, WindowSlot.ATTEMPTS, T0, T0)).isZero();
    }

    @Test
    void shouldNeverCountMoreDistinctDestinationsThanThereWere()
    {
        for (int n = 1; n <= 300; n++)
        {
            final long[] server = Traffic.ip(Traffic.server(n));
            slot.mark(ROW, WindowSlot.RELAY, HostTable.hash(server[0], server[1]) >>> 25);
            final double distinct = slot.distinct(ROW, 1, T0, T0);
            assertThat(distinct).isLessThanOrEqualTo(n);
            if (n == 10)
            {
                assertThat(distinct).isGreaterThanOrEqualTo(8);
            }
        }
        assertThat(slot.distinct(ROW, 1, T0, T0)).isGreaterThan(100);
    }

    @Test
    void shouldCountARepeatedDestinationOnce()
    {
        for (int i = 0; i < 50; i++)
        {
            slot.mark(ROW, WindowSlot.RELAY, 77);
        }

        assertThat(slot.distinct(ROW, 1, T0, T0)).isEqualTo(1.0);
    }

    @Test
    void shouldNotCountADestinationTwiceWhenItIsInBothBuckets()
    {
        slot.mark(ROW, WindowSlot.RELAY, 5);
        slot.mark(ROW, WindowSlot.RELAY, 6);
        slot.roll(ROW, T0, T0 + MINUTE);
        slot.mark(ROW, WindowSlot.RELAY, 5);

        // at the start of the next bucket the previous one weighs 1: {5} + {6} = 2, not 3
        assertThat(slot.distinct(ROW, 1, T0 + MINUTE, T0 + MINUTE)).isEqualTo(2.0);
        assertThat(slot.distinct(ROW, 1, T0 + MINUTE, T0 + MINUTE + 30 * SECOND)).isEqualTo(1.5);
    }
}
