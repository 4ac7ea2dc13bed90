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
