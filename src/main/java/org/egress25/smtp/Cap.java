package org.egress25.smtp;

import java.util.Locale;

/** The bounds on SMTP state; each counts how often it bit, so an operator sees when a cap shapes results. */
public enum Cap
{
    /**
     * Total connections tracked at once: a new one is ignored until a slot frees. This and the per-host cap
     * count each segment that would have opened a connection (SYN, SYN-ACK, first data), not connections.
     */
    CONNECTIONS,
    /** Connections one inside host may have tracked at once. */
    CONNECTIONS_PER_HOST,
    /** Connections one inside range (an IPv4 /24, an IPv6 /64) may have tracked at once. */
    CONNECTIONS_PER_RANGE,
    /**
     * A half-open connection (bare SYNs only, never answered) ended to give its slot to a new connection
     * while every slot was taken: the table is under pressure, typically from spoofed SYNs.
     */
    HALF_OPEN_EVICTED,
    /** A half-open connection ended at the policy's SYN timeout: nothing ever answered it. */
    SYN_TIMEOUT,
    /** Reorder buffer full: the gap is skipped and the stream resynchronised at the next line. */
    REORDER_BYTES,
    /** A line cut at the length limit. */
    LINE_LENGTH,
    /** A session idle past the timeout, ended without FIN or RST. */
    IDLE_TIMEOUT,
    /** Transactions beyond the per-session limit are counted but not itemised. */
    TRANSACTIONS,
    /** Recipients beyond the per-session limit are counted but not itemised. */
    RECIPIENTS,
    /** Commands in flight beyond the pipelining queue. */
    PIPELINE,
    /** Hosts tracked by the pattern analysers: the least recently seen is forgotten. */
    PATTERN_HOSTS,
    /** Bytes of pattern-analyser host state: the least recently active hosts are forgotten until it fits. */
    PATTERN_BYTES;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label()
    {
        return label;
    }
}
