package org.egress25.smtp;

import java.time.Duration;

/**
 * Hard bounds on everything the SMTP analyser keeps, so that hostile or broken traffic costs a known amount
 * of memory. Each bound has a counter ({@link Cap}) that says when it bit.
 *
 * <p>Memory: a tracked connection holds two line buffers, two reorder buffers, an address arena and
 * per-transaction reply text, about {@code 2*maxLineLength + 2*reorderBytes + addressBytes
 * + maxTransactions*REPLY_TEXT} bytes: 2*2048 + 2*4096 + 4096 + 16*200 = 19.6 KB with the defaults, so
 * 4096 connections cost at most 80 MB. Connection objects are made on first need and then reused.
 *
 * <p>Host state of the pattern analysers ({@code HostState}): about 2.5 KB for an ordinary host (one HELO
 * name, a few recipient domains), so the 100,000-host cap holds about 250 MB; a host that sprays names and
 * domains past every cap holds about 330 KB, so without a byte bound 100,000 of them would need 33 GB. The
 * byte bound {@link #maxPatternBytes()} (256 MiB by default) forgets the least recently active hosts first,
 * so spraying hosts cost at most that and ordinary hosts keep their windows.
 *
 * <p>The whole SMTP footprint with the defaults is thus at most 80 MB of connections, 256 MiB of hosts and
 * the fixed tables (connection index, per-host and per-range counts: under 1 MB); tested in a child JVM with a
 * heap limit by {@code SmtpFootprintTest}.
 *
 * <p>Spoofed SYNs cannot take the table: a connection that has seen nothing but bare SYNs from its client is
 * half-open, ends at the policy's SYN timeout, and is the first to give up its slot when every slot is taken
 * (oldest first); a connection that was answered or carried a byte is never evicted for a new one. One
 * inside range (an IPv4 /24 or an IPv6 /64) holds at most {@link #maxConnectionsPerRange()} slots.
 *
 * @param maxConnections        connections tracked at once, all hosts together
 * @param maxConnectionsPerHost connections one inside host may have tracked at once (a spambot opening
 *                              hundreds must not evict everyone else's sessions)
 * @param maxLineLength         longest command or reply line kept; RFC 5321 4.5.3.1 allows 512 for commands
 *                              and AUTH lines run to about 1 KB, so 2048 leaves room without waste
 * @param reorderBytes          out-of-order bytes held per direction while waiting for a missing segment
 * @param reorderSegments       out-of-order segments held per direction
 * @param idleTimeout           a session silent this long ends; RFC 5321 4.5.3.2.7 gives servers 5 minutes
 * @param maxTransactions       transactions itemised per session (more are counted, not listed)
 * @param maxRecipients         recipients itemised per session (more are counted, not listed)
 * @param addressBytes          bytes of envelope addresses and HELO text kept per session
 * @param maxPipelined          commands awaiting a reply at once (RFC 2920 pipelining groups are small)
 * @param maxPatternHosts       inside hosts the pattern analysers keep windows for
 * @param patternIdle           a host with no session for this long is forgotten by the pattern analysers
 * @param maxPatternBytes       heap bytes the pattern analysers' host state may hold, all hosts together; past
 *                              it the least recently active hosts are forgotten ({@link Cap#PATTERN_BYTES})
 */
public record SmtpLimits(
    int maxConnections,
    int maxConnectionsPerHost,
    int maxLineLength,
    int reorderBytes,
    int reorderSegments,
    Duration idleTimeout,
    int maxTransactions,
    int maxRecipients,
    int addressBytes,
    int maxPipelined,
    int maxPatternHosts,
    Duration patternIdle,
    long maxPatternBytes)
{
    /** 256 MiB for the pattern analysers' hosts: 100,000 ordinary hosts take about 250 MB, see the class comment. */
    public static final long DEFAULT_PATTERN_BYTES = 256L << 20;

    /** Characters of reply text kept as a transaction's {@code last_reply}. */
    static final int REPLY_TEXT = 200;

    /** Characters of HELO argument kept. */
    static final int HELO_TEXT = 255;

    public SmtpLimits
    {
        positive("maxConnections", maxConnections);
        positive("maxConnectionsPerHost", maxConnectionsPerHost);
        if (maxLineLength < 64)
        {
            throw new IllegalArgumentException("maxLineLength must be at least 64, was " + maxLineLength);
        }
        positive("reorderBytes", reorderBytes);
        positive("reorderSegments", reorderSegments);
        if (idleTimeout.isNegative() || idleTimeout.isZero())
        {
            throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
        }
        positive("maxTransactions", maxTransactions);
        positive("maxRecipients", maxRecipients);
        if (addressBytes < HELO_TEXT)
        {
            throw new IllegalArgumentException("addressBytes must be at least " + HELO_TEXT + ", was " + addressBytes);
        }
        positive("maxPipelined", maxPipelined);
        positive("maxPatternHosts", maxPatternHosts);
        if (maxPatternBytes < 1_000_000)
        {
            throw new IllegalArgumentException("maxPatternBytes must be at least 1000000, was " + maxPatternBytes);
        }
    }

    /**
     * Connections one inside range (IPv4 /24, IPv6 /64) may have tracked at once: a quarter of the table,
     * and never less than one host's share, so a source range (a compromised office, a spoofer confined to
     * one prefix) leaves three quarters of the slots to everyone else.
     */
    public int maxConnectionsPerRange()
    {
        return Math.max(maxConnectionsPerHost, maxConnections / 4);
    }

    /**
     * The most buffer bytes one connection slot can grow to: both line buffers, both reorder buffers, the
     * address arena, the reply text and the recipient index (three ints a recipient).
     */
    public long maxBytesPerConnection()
    {
        return 2L * maxLineLength + 2L * reorderBytes + addressBytes + (long)maxTransactions * REPLY_TEXT
            + 12L * maxRecipients;
    }

    public static SmtpLimits defaults()
    {
        return new SmtpLimits(4096, 64, 2048, 4096, 8, Duration.ofMinutes(5), 16, 100, 4096, 64, 100_000,
            Duration.ofHours(2), DEFAULT_PATTERN_BYTES);
    }

    private static void positive(final String name, final int value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
