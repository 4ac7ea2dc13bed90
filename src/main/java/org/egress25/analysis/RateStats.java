package org.egress25.analysis;

/**
 * Counters of the rate analyser for the metrics collector. The analysis thread keeps its own plain counters
 * and copies them here at most every 100 ms of capture time and at the end of input, so a scrape from
 * another thread reads consistent, slightly stale figures without the packet path paying for a volatile
 * write per event.
 */
public final class RateStats
{
    private volatile long trackedHosts;
    private volatile long hostCapacity;
    private volatile long idleEvictions;
    private volatile long capacityEvictions;
    private volatile long connectionsTracked;
    private volatile long connectionEvictions;
    private volatile long synsSeen;
    private volatile long synRetransmissions;
    private volatile long failuresDetected;
    private volatile long verdictRequests;
    private volatile long flaggedHosts;
    private volatile long prefixesTracked;
    private volatile long prefixIdleEvictions;
    private volatile long prefixCapacityEvictions;

    void publish(final RateAnalyser.Counters c, final long tracked, final long capacity, final long connections,
        final long flagged)
    {
        trackedHosts = tracked;
        hostCapacity = capacity;
        connectionsTracked = connections;
        flaggedHosts = flagged;
        idleEvictions = c.idleEvictions;
        capacityEvictions = c.capacityEvictions;
        connectionEvictions = c.connectionEvictions;
        synsSeen = c.synsSeen;
        synRetransmissions = c.synRetransmissions;
        failuresDetected = c.failuresDetected;
        verdictRequests = c.verdictRequests;
    }

    /** Inside hosts with state right now (gauge). */
    public long trackedHosts()
    {
        return trackedHosts;
    }

    /** The hard cap on tracked hosts (gauge). */
    public long hostCapacity()
    {
        return hostCapacity;
    }

    /** Hosts forgotten after being unseen for longer than the longest window plus the SYN timeout. */
    public long idleEvictions()
    {
        return idleEvictions;
    }

    /** Hosts forgotten to make room at the cap; non-zero means the cap is too small or sources are spoofed. */
    public long capacityEvictions()
    {
        return capacityEvictions;
    }

    /** Connections (attempted or open) being followed right now (gauge). */
    public long connectionsTracked()
    {
        return connectionsTracked;
    }

    /** Connections dropped from the full connection table to make room. */
    public long connectionEvictions()
    {
        return connectionEvictions;
    }

    /** Outbound SYNs counted as connection attempts (retransmissions not included). */
    public long synsSeen()
    {
        return synsSeen;
    }

    /** SYNs recognised as retransmissions of an attempt already counted. */
    public long synRetransmissions()
    {
        return synRetransmissions;
    }

    /** Attempts that failed: RST before establishment, or no SYN-ACK within the SYN timeout. */
    public long failuresDetected()
    {
        return failuresDetected;
    }

    /** Detector findings handed to the verdict rules (each may or may not have become a decision). */
    public long verdictRequests()
    {
        return verdictRequests;
    }

    /** IPv6 prefixes tracked beside the hosts ({@code ipv6-prefix}). */
    public long prefixesTracked()
    {
        return prefixesTracked;
    }

    public long prefixIdleEvictions()
    {
        return prefixIdleEvictions;
    }

    public long prefixCapacityEvictions()
    {
        return prefixCapacityEvictions;
    }

    /** Published with the host figures, from the prefix aggregate of the same analysis thread. */
    void publishPrefixes(final long tracked, final long idle, final long capacity)
    {
        prefixesTracked = tracked;
        prefixIdleEvictions = idle;
        prefixCapacityEvictions = capacity;
    }

    /** Hosts with a flagged-host record for the report (gauge). */
    public long flaggedHosts()
    {
        return flaggedHosts;
    }
}
