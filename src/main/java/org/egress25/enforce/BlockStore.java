package org.egress25.enforce;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;

/**
 * What egress25 believes about blocks: the active block per host and each host's strikes (past blocks) for
 * the escalation ladder. It is rebuilt from the {@link BlockJournal} at start and is the authority for
 * {@code egress25 blocks} and for the strike count of the next block; the kernel sets are made to agree with
 * it ({@link Reconciler}), never the other way round.
 *
 * <p>Single writer: only the enforcer thread changes it (through the journal), so writes need no locking
 * beyond what makes them visible. Readers (the analysis thread when a detector fires, the control endpoint)
 * use the concurrent maps directly; a host's strike list is immutable and replaced whole on change.
 */
public final class BlockStore
{
    /** One past or present block of a host: when it started and when it ended (or will end). */
    record Strike(Instant at, Instant until)
    {
    }

    private final Map<String, ActiveBlock> active = new ConcurrentHashMap<>();
    private final Map<String, List<Strike>> strikes = new ConcurrentHashMap<>();

    /** The host's block if it is in force at {@code now}. */
    public Optional<ActiveBlock> active(final String host, final Instant now)
    {
        final ActiveBlock block = active.get(host);
        return block != null && block.isActiveAt(now) ? Optional.of(block) : Optional.empty();
    }

    /** Blocks in force at {@code now}, oldest first. */
    public List<ActiveBlock> activeBlocks(final Instant now)
    {
        final List<ActiveBlock> list = new ArrayList<>();
        for (final ActiveBlock block : active.values())
        {
            if (block.isActiveAt(now))
            {
                list.add(block);
            }
        }
        list.sort(Comparator.comparing(ActiveBlock::since).thenComparing(ActiveBlock::host));
        return list;
    }

    /** Number of blocks in force at {@code now} for one address family, for the active-blocks gauge. */
    public int activeCount(final boolean ipv6, final Instant now)
    {
        int count = 0;
        for (final ActiveBlock block : active.values())
        {
            if (block.isIpv6() == ipv6 && block.isActiveAt(now))
            {
                count++;
            }
        }
        return count;
    }

    /**
     * Strikes the host has that are still remembered: a strike counts until {@code memory} after its block
     * ended (lifted early or expired), as in {@link org.egress25.policy.BlockLadder}. The next block's strike
     * number is this plus one.
     */
    public int strikesWithin(final String host, final Instant now, final Duration memory)
    {
        final List<Strike> list = strikes.get(host);
        if (list == null)
        {
            return 0;
        }
        int count = 0;
        for (final Strike strike : list)
        {
            if (strike.until() == null || strike.until().plus(memory).isAfter(now))
            {
                count++;
            }
        }
        return count;
    }

    /** Start times of every strike remembered for the host, oldest first (for {@code explain}). */
    public List<Instant> strikeTimes(final String host)
    {
        final List<Instant> times = new ArrayList<>();
        for (final Strike strike : strikes.getOrDefault(host, List.of()))
        {
            times.add(strike.at());
        }
        return times;
    }

    /** When each remembered strike's block ended or ends (null: never), oldest first, for the ladder. */
    public List<Instant> strikeEnds(final String host)
    {
        final List<Instant> ends = new ArrayList<>();
        for (final Strike strike : strikes.getOrDefault(host, List.of()))
        {
            ends.add(strike.until());
        }
        return ends;
    }

    /** Every host with a remembered strike, so the analysis side can be seeded with the ladder at start. */
    public java.util.Set<String> strikeHosts()
    {
        return java.util.Set.copyOf(strikes.keySet());
    }

    List<Strike> strikes(final String host)
    {
        return strikes.getOrDefault(host, List.of());
    }

    Iterable<Map.Entry<String, List<Strike>>> allStrikes()
    {
        return strikes.entrySet();
    }

    /** Blocks still held whose expiry has passed (before {@link #prune} forgets them). */
    List<ActiveBlock> endedBlocks(final Instant now)
    {
        final List<ActiveBlock> list = new ArrayList<>();
        for (final ActiveBlock block : active.values())
        {
            if (!block.isActiveAt(now))
            {
                list.add(block);
            }
        }
        return list;
    }

    int hostsWithStrikes()
    {
        return strikes.size();
    }

    /** Applies a block or unblock decision; alerts change nothing. */
    void apply(final Decision decision)
    {
        if (decision.action() == Action.BLOCK)
        {
            block(decision);
        }
        else if (decision.action() == Action.UNBLOCK)
        {
            unblock(decision.host(), decision.time());
        }
    }

    /**
     * The block decision as it will be made: blocks only grow. For a host already blocked at the decision's
     * time the block keeps its strike, and keeps its expiry when that is later than the decision's; an
     * operator's block keeps its rule, reason and source when a detector decision lands on it (a detector
     * that restarted does not know why the operator blocked). Other actions are returned as they are.
     */
    Decision extendOnly(final Decision decision, final Instant now)
    {
        if (decision.action() != Action.BLOCK)
        {
            return decision;
        }
        final ActiveBlock previous = active.get(decision.host());
        if (previous == null || !previous.isActiveAt(decision.time()) || !previous.isActiveAt(now))
        {
            return decision;
        }
        final boolean keepsExpiry = previous.expires() == null
            || decision.expires() != null && !previous.expires().isBefore(decision.expires());
        final boolean keepsWords = keepsExpiry || previous.source() == Source.MANUAL && decision.source() != Source.MANUAL;
        final Map<String, Object> evidence = new LinkedHashMap<>(decision.evidence());
        if (keepsExpiry)
        {
            evidence.put("kept_longer_block_until", previous.expires() == null ? "never" : previous.expires().toString());
        }
        return new Decision(decision.time(), decision.host(), Action.BLOCK,
            keepsWords ? previous.rule() : decision.rule(), keepsWords ? previous.reason() : decision.reason(),
            keepsExpiry ? previous.expires() : decision.expires(), evidence,
            keepsWords ? previous.source() : decision.source(), previous.strikes());
    }

    /**
     * A block decision (already passed through {@link #extendOnly}). A host already blocked at that time gets
     * its block replaced without a new strike: one offence, one strike.
     */
    void block(final Decision decision)
    {
        final String host = decision.host();
        final ActiveBlock previous = active.get(host);
        final boolean extension = previous != null && previous.isActiveAt(decision.time());
        active.put(host, new ActiveBlock(host, decision.rule(), decision.reason(),
            extension ? previous.since() : decision.time(), decision.expires(), decision.strikes(), decision.source()));
        strikes.compute(host, (h, list) ->
        {
            final List<Strike> next = new ArrayList<>(list == null ? List.of() : list);
            if (extension && !next.isEmpty())
            {
                final Strike last = next.remove(next.size() - 1);
                next.add(new Strike(last.at(), decision.expires()));
            }
            else
            {
                next.add(new Strike(decision.time(), decision.expires()));
            }
            return List.copyOf(next);
        });
    }

    /** Lifts the host's block; its strike stays, ending now instead of at its planned expiry. */
    void unblock(final String host, final Instant at)
    {
        final ActiveBlock previous = active.remove(host);
        if (previous == null)
        {
            return;
        }
        strikes.computeIfPresent(host, (h, list) ->
        {
            final List<Strike> next = new ArrayList<>(list);
            final Strike last = next.remove(next.size() - 1);
            final boolean endsLater = last.until() == null || last.until().isAfter(at);
            next.add(new Strike(last.at(), endsLater ? at : last.until()));
            return List.copyOf(next);
        });
    }

    /** A past strike read back from a compacted journal. */
    void strike(final String host, final Instant at, final Instant until)
    {
        strikes.compute(host, (h, list) ->
        {
            final List<Strike> next = new ArrayList<>(list == null ? List.of() : list);
            next.add(new Strike(at, until));
            next.sort(Comparator.comparing(Strike::at));
            return List.copyOf(next);
        });
    }

    /** Forgets blocks that have expired and strikes older than {@code retention} after their end. */
    void prune(final Instant now, final Duration retention)
    {
        active.values().removeIf(block -> !block.isActiveAt(now));
        strikes.replaceAll((host, list) ->
        {
            final List<Strike> kept = new ArrayList<>();
            for (final Strike strike : list)
            {
                if (strike.until() == null || strike.until().plus(retention).isAfter(now))
                {
                    kept.add(strike);
                }
            }
            return List.copyOf(kept);
        });
        strikes.values().removeIf(List::isEmpty);
    }
}
