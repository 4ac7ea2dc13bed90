package org.egress25.decision;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.egress25.host.Action;
import org.egress25.host.Addresses;
import org.egress25.host.HostKey;
import org.egress25.policy.BlockLadder;
import org.egress25.policy.HostClass;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.PortGroup;

/**
 * Turns detector findings into decisions, the one place that knows the rules every detector shares:
 *
 * <ol>
 *   <li>Submission ports are never blocked on port alone (RFC 5068, RFC 6409, RFC 8314): a block wanted on
 *       submission becomes an alert.</li>
 *   <li>A class in {@code observe} mode only alerts; in {@code block-by-default} its port 25 is already shut
 *       for the whole class, so a per-host block would add nothing and becomes an alert too.</li>
 *   <li>A host already blocked is not blocked again until its block ends, and one rule alerts about one host
 *       at most once per {@link #ALERT_QUIET_NANOS}, so a spambot sending 500 SYNs a second yields one line.</li>
 *   <li>Block length follows the escalation ladder: the n-th block within the ladder's memory of the
 *       previous one gets step n (Zeek's catch-and-release: 10 min, 1 h, 24 h, 7 days).</li>
 * </ol>
 *
 * <p>Owned by the analysis thread (single writer). Other threads (operator commands) reach it through the
 * pipeline's command queue. Its maps are Caffeine caches driven by the capture clock, bounded so that a
 * flood of spoofed sources tripping detectors cannot grow them without limit.
 */
public final class Verdicts
{
    /** One alert per host and rule per hour: enough for the abuse desk, few enough to read. */
    public static final long ALERT_QUIET_NANOS = TimeUnit.HOURS.toNanos(1);

    private static final int MAX_TRACKED = 1_000_000;

    private final DecisionSink sink;
    private final CaptureTicker ticker = new CaptureTicker();
    private final Cache<HostKey, HostRecord> hosts;
    private final Cache<AlertKey, Long> alerts;
    private BlockLadder ladder;
    /** Bit n - 32 set once a /n prefix was blocked: the lengths to look up when asking whether an address is. */
    private long prefixLengths;

    public Verdicts(final DecisionSink sink, final BlockLadder ladder)
    {
        this.sink = sink;
        this.ladder = ladder;
        this.hosts = Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(MAX_TRACKED)
            .expireAfterAccess(Duration.ofDays(30))
            .build();
        this.alerts = Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(MAX_TRACKED)
            .expireAfterWrite(Duration.ofNanos(ALERT_QUIET_NANOS))
            .build();
    }

    /** Swapped in on policy reload; host records (strikes, active blocks) are kept. */
    public void setLadder(final BlockLadder ladder)
    {
        this.ladder = ladder;
    }

    /**
     * A detector's finding. Returns the decision emitted, or null when it was suppressed (host already
     * blocked, or the same alert made within the quiet period).
     *
     * @param wanted what the detector asks for (alert or block); the class mode and port group may lower it
     */
    public Decision decide(
        final long hi,
        final long lo,
        final HostClass hostClass,
        final PortGroup group,
        final String rule,
        final Action wanted,
        final String reason,
        final Map<String, Object> evidence,
        final long nowNanos)
    {
        return decide(new HostKey(hi, lo), hostClass, group, rule, wanted, reason, evidence, nowNanos);
    }

    /**
     * The same for an address or an IPv6 prefix: one set of rules for both, so a prefix decision is an
     * ordinary decision whose {@code host} is {@code 2001:db8:1:2::/64}. An address inside a blocked prefix
     * counts as blocked.
     */
    public Decision decide(
        final HostKey key,
        final HostClass hostClass,
        final PortGroup group,
        final String rule,
        final Action wanted,
        final String reason,
        final Map<String, Object> evidence,
        final long nowNanos)
    {
        ticker.advanceTo(nowNanos);
        final Action action = effectiveAction(hostClass, group, wanted);
        final Instant now = toInstant(nowNanos);
        if (action == Action.BLOCK)
        {
            final HostRecord record = hosts.get(key, k -> new HostRecord());
            if (record.blockedUntilNanos != 0 && nowNanos - record.blockedUntilNanos < 0
                || prefixBlockedUntilNanos(key.hi(), key.lo(), key.bits(), nowNanos) != 0)
            {
                return null;
            }
            if (key.isPrefix())
            {
                prefixLengths |= 1L << (key.bits() - HostKey.MIN_PREFIX_BITS);
            }
            final int strike = record.strikesWithin(nowNanos, ladder.memory().toNanos()) + 1;
            final Duration length = ladder.durationFor(strike);
            record.blockedUntilNanos = nowNanos + length.toNanos();
            record.strikes.addLast(record.blockedUntilNanos);
            final Map<String, Object> withLadder = new LinkedHashMap<>(evidence);
            withLadder.put("block_seconds", length.toSeconds());
            final Decision decision = new Decision(
                now, key.text(), Action.BLOCK, rule, reason, toInstant(record.blockedUntilNanos), withLadder,
                Source.DETECTOR, strike);
            record.lastBlock = decision;
            sink.accept(decision);
            return decision;
        }
        final HostRecord record = hosts.getIfPresent(key);
        if (wanted == Action.BLOCK && blockedUntilNanos(key, nowNanos) != 0)
        {
            return null;
        }
        final AlertKey alertKey = new AlertKey(key, rule);
        if (alerts.getIfPresent(alertKey) != null)
        {
            return null;
        }
        alerts.put(alertKey, nowNanos);
        final String why = action == wanted ? reason : reason + " (" + downgradeNote(hostClass, group) + ")";
        final Decision decision = new Decision(now, key.text(), Action.ALERT, rule, why, null, evidence,
            Source.DETECTOR, record == null ? 0 : record.strikes.size());
        sink.accept(decision);
        return decision;
    }

    /**
     * When the host's current block ends, or 0 when it is not blocked as of {@code nowNanos}; a block of a
     * prefix holding it counts (the later end of the two).
     */
    public long blockedUntilNanos(final long hi, final long lo, final long nowNanos)
    {
        return blockedUntilNanos(new HostKey(hi, lo), nowNanos);
    }

    /** The same for an address or a prefix (a prefix counts only its own block). */
    public long blockedUntilNanos(final HostKey key, final long nowNanos)
    {
        final long own = ownBlockEnd(key, nowNanos);
        if (key.isPrefix())
        {
            return own;
        }
        final long prefix = prefixBlockedUntilNanos(key.hi(), key.lo(), key.bits(), nowNanos);
        return own == 0 || prefix != 0 && prefix - own > 0 ? prefix : own;
    }

    private long ownBlockEnd(final HostKey key, final long nowNanos)
    {
        final HostRecord record = hosts.getIfPresent(key);
        if (record == null || record.blockedUntilNanos == 0 || record.blockedUntilNanos - nowNanos <= 0)
        {
            return 0;
        }
        return record.blockedUntilNanos;
    }

    /**
     * The latest end of a block on a prefix shorter than {@code bits} holding the address (or prefix), or 0;
     * one lookup per prefix length ever blocked.
     */
    private long prefixBlockedUntilNanos(final long hi, final long lo, final int bits, final long nowNanos)
    {
        long until = 0;
        long lengths = bits >= 128 ? prefixLengths : prefixLengths & ((1L << (bits - HostKey.MIN_PREFIX_BITS)) - 1);
        while (lengths != 0 && !Addresses.isIpv4(hi, lo))
        {
            final int length = Long.numberOfTrailingZeros(lengths) + HostKey.MIN_PREFIX_BITS;
            lengths &= lengths - 1;
            final long end = ownBlockEnd(HostKey.prefixOf(hi, lo, length), nowNanos);
            if (end != 0 && (until == 0 || end - until > 0))
            {
                until = end;
            }
        }
        return until;
    }

    /** Strikes the host has within the ladder's memory as of now (what the next block would add one to). */
    public int strikes(final long hi, final long lo, final long nowNanos)
    {
        return strikes(new HostKey(hi, lo), nowNanos);
    }

    public int strikes(final HostKey key, final long nowNanos)
    {
        final HostRecord record = hosts.getIfPresent(key);
        return record == null ? 0 : record.strikesWithin(nowNanos, ladder.memory().toNanos());
    }

    /**
     * The detector decision that made the host's latest block, with its reason and evidence (what carried it:
     * the decisive signal, or the volume finding and the badness that corroborated it), or null. For
     * {@code explain}; the host's record keeps it while the record lives (30 days unseen at most).
     */
    public Decision lastBlock(final long hi, final long lo)
    {
        final HostRecord record = hosts.getIfPresent(new HostKey(hi, lo));
        return record == null ? null : record.lastBlock;
    }

    /**
     * Records a block made elsewhere (operator, or restored from the journal at start).
     *
     * @param strikeEndsNanos when each remembered strike's block ended or will end, as the journal's store
     *                        keeps them, so the ladder counts the same strikes as {@code explain} and the journal
     */
    public void restoreBlock(final HostKey host, final long untilNanos, final long[] strikeEndsNanos)
    {
        if (host.isPrefix())
        {
            prefixLengths |= 1L << (host.bits() - HostKey.MIN_PREFIX_BITS);
        }
        final HostRecord record = hosts.get(host, k -> new HostRecord());
        record.blockedUntilNanos = untilNanos;
        record.strikes.clear();
        for (final long t : strikeEndsNanos)
        {
            record.strikes.addLast(t);
        }
    }

    /** Lifts a block early; the strike history stays so a repeat offence still escalates. */
    public void liftBlock(final HostKey host)
    {
        final HostRecord record = hosts.getIfPresent(host);
        if (record != null)
        {
            record.blockedUntilNanos = 0;
        }
    }

    /** Lifts a block at {@code nowNanos}: its strike now ends then, as the journal records it. */
    public void liftBlock(final HostKey host, final long nowNanos)
    {
        final HostRecord record = hosts.getIfPresent(host);
        if (record != null)
        {
            if (!record.strikes.isEmpty() && record.strikes.peekLast() - nowNanos > 0)
            {
                record.strikes.pollLast();
                record.strikes.addLast(nowNanos);
            }
            record.blockedUntilNanos = 0;
        }
    }

    static Action effectiveAction(final HostClass hostClass, final PortGroup group, final Action wanted)
    {
        if (wanted != Action.BLOCK)
        {
            return wanted;
        }
        if (group == PortGroup.SUBMISSION || hostClass == null || hostClass.mode() != Port25Mode.DETECT_THEN_BLOCK)
        {
            return Action.ALERT;
        }
        return Action.BLOCK;
    }

    private static String downgradeNote(final HostClass hostClass, final PortGroup group)
    {
        if (group == PortGroup.SUBMISSION)
        {
            return "alert only: submission ports are never blocked on port alone";
        }
        if (hostClass != null && hostClass.mode() == Port25Mode.BLOCK_BY_DEFAULT)
        {
            return "alert only: class " + hostClass.name() + " has port 25 blocked by default";
        }
        return "alert only: class " + (hostClass == null ? "?" : hostClass.name()) + " is in observe mode";
    }

    public static Instant toInstant(final long epochNanos)
    {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    }

    private record AlertKey(HostKey host, String rule)
    {
    }

    private static final class HostRecord
    {
        long blockedUntilNanos;
        /** The detector decision of the latest block, kept for explain. */
        Decision lastBlock;
        /** When each remembered strike's block ends (or ended), oldest first. */
        final Deque<Long> strikes = new ArrayDeque<>();

        /**
         * Strikes remembered at now: a strike (held as when its block ends) counts until {@code memory} after
         * that end, as {@link org.egress25.policy.BlockLadder} and the journal's store define it.
         */
        int strikesWithin(final long nowNanos, final long memoryNanos)
        {
            strikes.removeIf(end -> nowNanos - end - memoryNanos > 0);
            return strikes.size();
        }
    }

    /** Caffeine's clock, moved by capture time so expiry is the same on every replay. */
    private static final class CaptureTicker implements Ticker
    {
        private long nowNanos;

        void advanceTo(final long nanos)
        {
            if (nanos > nowNanos)
            {
                nowNanos = nanos;
            }
        }

        @Override
        public long read()
        {
            return nowNanos;
        }
    }
}
