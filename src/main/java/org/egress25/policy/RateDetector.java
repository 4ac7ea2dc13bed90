package org.egress25.policy;

import java.time.Duration;
import org.egress25.host.Action;

/**
 * One threshold on one per-host rate, as the rule file states it: fires when the metric over the window
 * is strictly greater than {@code threshold} (for ratios: at least {@code threshold} once
 * {@code minAttempts} attempts were seen).
 *
 * @param id          rule id, reported as the decision's {@code rule}
 * @param metric      what is counted
 * @param ports       relay (25), submission, or any
 * @param window      sliding window length (ignored for concurrent connections)
 * @param threshold   the limit (a count, or a ratio in 0..1)
 * @param minAttempts for ratios, attempts needed before the ratio is judged
 * @param action      alert or block; block on submission ports is refused at load time
 */
public record RateDetector(
    String id,
    RateMetric metric,
    PortGroup ports,
    Duration window,
    double threshold,
    long minAttempts,
    Action action)
{
    public RateDetector withThreshold(final double newThreshold)
    {
        return new RateDetector(id, metric, ports, window, newThreshold, minAttempts, action);
    }
}
