package org.egress25.analysis;

/**
 * Paces an incremental sweep by the capture clock: a table of {@code total} slots is covered once per
 * {@code periodNanos}, a share of it on each tick in proportion to the time that passed. Ticks may come with
 * every packet or every 100 ms; either way the sweep costs the same per second and never stops the world.
 */
final class SweepPacer
{
    private final long periodNanos;
    private long lastNanos = Long.MIN_VALUE;

    SweepPacer(final long periodNanos)
    {
        this.periodNanos = periodNanos;
    }

    /** Slots to visit now; the time they account for is consumed, fractions carry to the next tick. */
    int budget(final long nowNanos, final int total)
    {
        if (lastNanos == Long.MIN_VALUE)
        {
            lastNanos = nowNanos;
            return 0;
        }
        final long elapsed = nowNanos - lastNanos;
        if (elapsed <= 0 || total <= 0)
        {
            return 0;
        }
        if (elapsed >= periodNanos)
        {
            lastNanos = nowNanos;
            return total;
        }
        final int budget = (int)(elapsed * total / periodNanos);
        lastNanos += budget * periodNanos / total;
        return budget;
    }
}
