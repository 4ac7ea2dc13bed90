package org.egress25.analysis;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.egress25.host.Action;

/**
 * A host some rate rule fired for, as the abuse-desk report shows it. Detail (top destinations, attempts by
 * port) is counted from the first firing on: before that a host is one of up to a million rows of bare
 * counters, and keeping per-destination detail for all of them would cost more than the whole table. The
 * attempts-per-minute series also holds the minute of the first firing in full and the minute before it,
 * taken from the one-minute window when the rules have one.
 *
 * @param host                 inside address as text
 * @param hostClass            class name at the first firing
 * @param firstSeen            when the analyser started tracking the host
 * @param lastSeen             last segment attributed to the host
 * @param firstFlagged         time of the first firing
 * @param rules                the first {@value FlaggedHosts#MAX_FIRINGS} firings: rule, observed value against
 *                             threshold, and what came of it (the decisions log has every one)
 * @param firingsNotListed     firings after those
 * @param topDestinations      up to ten destinations by attempts since flagging, most first
 * @param attemptsPerMinute    attempts per minute, up to the last 60 minutes, oldest first
 * @param attemptsByPort       attempts since flagging by server port (25, 465, 587, 2525; 0 for any other)
 * @param attemptsSinceFlagged connection attempts since the first firing
 * @param failuresSinceFlagged failed attempts since the first firing
 * @param attemptsWhileBlocked port-25 attempts made while egress25 had the host blocked; the firewall refuses
 *                             them, so they are not among the top destinations
 */
public record FlaggedHost(
    String host,
    String hostClass,
    Instant firstSeen,
    Instant lastSeen,
    Instant firstFlagged,
    List<RuleFiring> rules,
    long firingsNotListed,
    List<DestinationCount> topDestinations,
    List<MinuteCount> attemptsPerMinute,
    Map<Integer, Long> attemptsByPort,
    long attemptsSinceFlagged,
    long failuresSinceFlagged,
    long attemptsWhileBlocked)
{
    /**
     * @param wanted  what the rule asks for
     * @param decided what the verdict rules made of it; null when suppressed (already blocked or alerted)
     */
    public record RuleFiring(String rule, Instant time, Action wanted, Action decided, double observed,
        double threshold, String reason)
    {
    }

    /**
     * @param attempts      attempts while the host was not blocked by egress25; an upper bound: the top list is a
     *                      32-entry space-saving sketch, exact unless the host tried more than 32 destinations,
     *                      and then over by at most the smallest kept count
     * @param whileBlocked  port-25 attempts egress25's own block refused
     */
    public record DestinationCount(String address, long attempts, long whileBlocked)
    {
    }

    /** One minute of the host's timeline: connection attempts and, of those, failed ones (RST or no SYN-ACK). */
    public record MinuteCount(Instant minute, long attempts, long failures)
    {
    }
}
