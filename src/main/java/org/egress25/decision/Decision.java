package org.egress25.decision;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.egress25.host.Action;

/**
 * One verdict about one inside host, as written to the decisions log and handed to enforcers.
 *
 * <p>Immutable, and built only when a detector fires (rare next to packets), so allocating one here is
 * off the per-packet budget. {@code evidence} keeps insertion order so the JSON reads in the order the
 * detector thought about it.
 *
 * @param time     capture time of the packet that triggered it (wall time for manual decisions)
 * @param host     inside address, RFC 5952 text for IPv6
 * @param action   alert, block or unblock
 * @param rule     id of the rule (detector) that fired, or {@code manual}
 * @param reason   one sentence for a person, with observed figures and thresholds
 * @param expires  when a block lifts; null for alerts and unblocks
 * @param evidence counters that support the reason
 * @param source   detector, manual or reconcile
 * @param strikes  how many blocks this host has had within the ladder's memory, this one included
 */
public record Decision(
    Instant time,
    String host,
    Action action,
    String rule,
    String reason,
    Instant expires,
    Map<String, Object> evidence,
    Source source,
    int strikes)
{
    public Decision
    {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(source, "source");
        evidence = evidence == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }
}
