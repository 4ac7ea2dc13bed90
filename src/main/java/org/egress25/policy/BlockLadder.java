package org.egress25.policy;

import java.time.Duration;
import java.util.List;

/**
 * How long a block lasts, escalating for repeat offenders after Zeek's catch-and-release: the n-th block
 * within {@code memory} of the previous one lasts {@code steps[n-1]} (the last step repeats).
 *
 * @param steps  block durations, first offence first
 * @param memory how long a strike is remembered after its block ends
 */
public record BlockLadder(List<Duration> steps, Duration memory)
{
    /**
     * The longest block the kernel can hold: Linux (5.6 and later, Debian 12 has 6.1) takes an element timeout
     * of up to 2^64 ns, about 213,503 days, and refuses anything longer with ERANGE (probed on 6.1 and 6.18
     * with nft 1.0.6: {@code 213503d} is taken, {@code 213504d} is not). A ladder step, {@code block --for} and
     * the journal are refused or capped at this, so a block egress25 reports is a block the kernel holds.
     */
    public static final Duration MAX_BLOCK = Duration.ofDays(213_503);

    public BlockLadder
    {
        if (steps.isEmpty())
        {
            throw new IllegalArgumentException("ladder must have at least one step");
        }
        steps = List.copyOf(steps);
    }

    /** Duration of a block given the strike number it will be (1 for a first offence). */
    public Duration durationFor(final int strike)
    {
        final int index = Math.max(1, strike) - 1;
        return steps.get(Math.min(index, steps.size() - 1));
    }
}
