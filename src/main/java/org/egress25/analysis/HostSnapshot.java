package org.egress25.analysis;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.egress25.host.Action;
import org.egress25.policy.PortGroup;
import org.egress25.policy.RateMetric;

/**
 * What the rate analyser knows about one host at one instant, for {@code explain} and reports. Counts over
 * windows are the sliding-window estimates the detectors compare (so they may be fractional); distinct
 * destinations are lower bounds and -1 for windows no distinct-destinations rule watches.
 *
 * @param host                 inside address as text
 * @param hostClass            class name the host's detectors come from
 * @param firstSeen            when the analyser started tracking the host (again, after an eviction)
 * @param lastSeen             last segment or timeout attributed to the host
 * @param blockedUntil         end of the block the analyser knows of, or null
 * @param windows              per window (shortest first) and port group: attempts, failures, distinct destinations
 * @param concurrentRelay      port-25 connections open now
 * @param concurrentSubmission submission-port connections open now
 * @param detectors            every detector of the class: its current value against its threshold
 */
public record HostSnapshot(
    String host,
    String hostClass,
    Instant firstSeen,
    Instant lastSeen,
    Instant blockedUntil,
    List<WindowCounts> windows,
    int concurrentRelay,
    int concurrentSubmission,
    List<DetectorValue> detectors)
{
    public HostSnapshot
    {
        windows = List.copyOf(windows);
        detectors = List.copyOf(detectors);
    }

    public record WindowCounts(Duration window, PortGroup ports, double attempts, double failures,
        double distinctDestinations)
    {
    }

    /**
     * @param firing true when the value crosses the threshold right now
     * @param action what the detector asks for
     */
    public record DetectorValue(String rule, RateMetric metric, PortGroup ports, Duration window, double value,
        double threshold, boolean firing, Action action)
    {
    }
}
