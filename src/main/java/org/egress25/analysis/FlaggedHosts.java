package org.egress25.analysis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.egress25.decision.Verdicts;
import org.egress25.host.Addresses;

/**
 * Report detail for hosts that fired at least once, bounded to {@code maxHosts} records of at most about
 * 3.6 KB each (1.4 KB of counters and sketch, up to {@value #MAX_FIRINGS} firings of some 270 bytes), so
 * 10,000 flagged hosts take at most some 36 MB however long the run. Identity is a {@link HostTable}, so finding a host's record is a primitive
 * probe; a full store drops the least recently seen of a few sampled records.
 *
 * <p>Updating a record on each further attempt allocates nothing: a ring of 60 per-minute counts, a
 * 32-entry space-saving sketch of destinations (Metwally et al., 2005) and five per-port totals. Port-25
 * attempts while egress25 has the host blocked are counted apart (per destination and in total): the
 * firewall refuses them, so they are no servers the host reached; whether the host is blocked is looked up
 * once a minute per flagged host ({@link #BLOCK_CHECK_NANOS}).
 */
final class FlaggedHosts
{
    static final int MINUTES = 60;
    static final int SKETCH = 32;
    static final int TOP = 10;
    static final int MAX_FIRINGS = 8;
    static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);
    /**
     * How often a flagged host's block is looked up in the verdicts (a cache lookup that allocates a key):
     * once a minute, and at once after one of its own rate firings. A block by an SMTP rule, the sequential
     * test or an operator, or an unblock, is seen within a minute; a minute of attempts may land on the
     * wrong side of the line.
     */
    static final long BLOCK_CHECK_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int[] PORTS = {25, 465, 587, 2525};

    private final HostTable table;
    private Record[] records;
    private final XorShift random = new XorShift(0x5EED_F1A6L);

    FlaggedHosts(final int maxHosts)
    {
        table = new HostTable(maxHosts);
        records = new Record[table.capacity()];
    }

    int size()
    {
        return table.size();
    }

    /** Record index of a host, or -1. */
    int find(final long hi, final long lo)
    {
        return table.find(hi, lo);
    }

    Record get(final int index)
    {
        return records[index];
    }

    boolean isFull()
    {
        return table.isFull();
    }

    /** Index of the record to drop for room. */
    int victim()
    {
        return table.sampleVictim(random);
    }

    long hiOf(final int index)
    {
        return table.hi(index);
    }

    long loOf(final int index)
    {
        return table.lo(index);
    }

    void remove(final int index)
    {
        table.remove(index);
        records[index] = null;
    }

    /** Starts a record for a host not yet flagged (caller made room when full). */
    int add(final long hi, final long lo, final String className, final long firstSeenNanos, final long nowNanos)
    {
        final int index = table.insert(hi, lo, nowNanos);
        if (table.capacity() != records.length)
        {
            records = Arrays.copyOf(records, table.capacity());
        }
        records[index] = new Record(Addresses.format(hi, lo), className, firstSeenNanos, nowNanos);
        return index;
    }

    void touch(final int index, final long nowNanos)
    {
        if (nowNanos - table.lastSeen(index) > 0)
        {
            table.lastSeen(index, nowNanos);
        }
        records[index].touch(nowNanos);
    }

    List<FlaggedHost> toList()
    {
        final List<FlaggedHost> out = new ArrayList<>(table.size());
        for (int i = 0; i < table.highWater(); i++)
        {
            if (table.isOccupied(i))
            {
                out.add(records[i].toFlaggedHost());
            }
        }
        out.sort(Comparator.comparing(FlaggedHost::firstFlagged).thenComparing(FlaggedHost::host));
        return out;
    }

    static final class Record
    {
        final String host;
        final String className;
        final long firstSeenNanos;
        final long firstFlaggedNanos;
        long lastSeenNanos;
        final int[] perMinute = new int[MINUTES];
        final int[] failuresPerMinute = new int[MINUTES];
        long lastMinute = Long.MIN_VALUE;
        /** First minute the series covers: the one of the first firing, or the one before when seeded. */
        long firstMinute;
        final long[] destHi = new long[SKETCH];
        final long[] destLo = new long[SKETCH];
        final long[] destCount = new long[SKETCH];
        /** Of each destination's count, the attempts made while egress25 had the host blocked. */
        final long[] destWhileBlocked = new long[SKETCH];
        int destUsed;
        final long[] portCounts = new long[PORTS.length + 1];
        long attempts;
        long failures;
        /**
         * Attempts to port 25 while egress25's own block of the host stood: the firewall rejects them, so they
         * are no destinations the host reached and stay out of the sketch (they still show per minute).
         */
        long attemptsWhileBlocked;
        long blockedUntilNanos;
        long blockCheckedNanos = Long.MIN_VALUE;
        final List<FlaggedHost.RuleFiring> firings = new ArrayList<>();
        long firingsNotListed;

        Record(final String host, final String className, final long firstSeenNanos, final long nowNanos)
        {
            this.host = host;
            this.className = className;
            this.firstSeenNanos = firstSeenNanos;
            this.firstFlaggedNanos = nowNanos;
            this.lastSeenNanos = nowNanos;
            this.firstMinute = Math.floorDiv(nowNanos, MINUTE_NANOS);
        }

        /** Attempts already counted in the minute of {@code nowNanos} and the one before. */
        void seedMinutes(final long nowNanos, final int current, final int previous)
        {
            final long minute = Math.floorDiv(nowNanos, MINUTE_NANOS);
            lastMinute = minute;
            perMinute[Math.floorMod(minute, MINUTES)] = current;
            perMinute[Math.floorMod(minute - 1, MINUTES)] = previous;
            firstMinute = previous > 0 ? minute - 1 : minute;
        }

        void touch(final long nowNanos)
        {
            if (nowNanos - lastSeenNanos > 0)
            {
                lastSeenNanos = nowNanos;
            }
        }

        /** @param blocked whether the host stands blocked by egress25 on this port now */
        void attempt(final long serverHi, final long serverLo, final int serverPort, final long nowNanos,
            final boolean blocked)
        {
            attempts++;
            countMinute(perMinute, nowNanos);
            countPort(serverPort);
            if (blocked)
            {
                attemptsWhileBlocked++;
            }
            countDestination(serverHi, serverLo, blocked);
        }

        /** Whether to ask the verdicts again whether the host is blocked: once a minute at most. */
        boolean blockCheckDue(final long nowNanos)
        {
            return blockCheckedNanos == Long.MIN_VALUE || nowNanos - blockCheckedNanos >= BLOCK_CHECK_NANOS;
        }

        void blockChecked(final long untilNanos, final long nowNanos)
        {
            blockedUntilNanos = untilNanos;
            blockCheckedNanos = nowNanos;
        }

        boolean blockedAt(final long nowNanos)
        {
            return blockedUntilNanos != 0 && blockedUntilNanos - nowNanos > 0;
        }

        void failure(final long nowNanos)
        {
            failures++;
            countMinute(failuresPerMinute, nowNanos);
        }

        void fired(final FlaggedHost.RuleFiring firing)
        {
            // the firing may have blocked the host: look again at the next attempt, not a second later
            blockCheckedNanos = Long.MIN_VALUE;
            if (firings.size() < MAX_FIRINGS)
            {
                firings.add(firing);
            }
            else
            {
                firingsNotListed++;
            }
        }

        /** Counts one in {@code series} (attempts or failures) for the minute, moving both rings on together. */
        private void countMinute(final int[] series, final long nowNanos)
        {
            final long minute = Math.floorDiv(nowNanos, MINUTE_NANOS);
            if (lastMinute == Long.MIN_VALUE)
            {
                lastMinute = minute;
            }
            else if (minute > lastMinute)
            {
                final long gap = Math.min(MINUTES, minute - lastMinute);
                for (long m = 1; m <= gap; m++)
                {
                    perMinute[Math.floorMod(lastMinute + m, MINUTES)] = 0;
                    failuresPerMinute[Math.floorMod(lastMinute + m, MINUTES)] = 0;
                }
                lastMinute = minute;
            }
            else if (lastMinute - minute >= MINUTES)
            {
                return;
            }
            series[Math.floorMod(minute, MINUTES)]++;
        }

        private void countPort(final int serverPort)
        {
            int slot = PORTS.length;
            for (int i = 0; i < PORTS.length; i++)
            {
                if (PORTS[i] == serverPort)
                {
                    slot = i;
                    break;
                }
            }
            portCounts[slot]++;
        }

        private void countDestination(final long hi, final long lo, final boolean blocked)
        {
            int smallest = 0;
            for (int i = 0; i < destUsed; i++)
            {
                if (destLo[i] == lo && destHi[i] == hi)
                {
                    destCount[i]++;
                    destWhileBlocked[i] += blocked ? 1 : 0;
                    return;
                }
                if (destCount[i] < destCount[smallest])
                {
                    smallest = i;
                }
            }
            if (destUsed < SKETCH)
            {
                destHi[destUsed] = hi;
                destLo[destUsed] = lo;
                destCount[destUsed] = 1;
                destWhileBlocked[destUsed] = blocked ? 1 : 0;
                destUsed++;
                return;
            }
            destHi[smallest] = hi;
            destLo[smallest] = lo;
            destCount[smallest]++;
            // the newcomer inherits the evicted count (space-saving); all of it is "blocked" if this one was
            destWhileBlocked[smallest] = blocked ? destCount[smallest] : 0;
        }

        FlaggedHost toFlaggedHost()
        {
            final List<Integer> order = new ArrayList<>();
            for (int i = 0; i < destUsed; i++)
            {
                order.add(i);
            }
            // destinations the host reached first, then those only the block saw
            order.sort(Comparator.comparingLong((Integer i) -> -(destCount[i] - destWhileBlocked[i]))
                .thenComparingLong(i -> -destCount[i]).thenComparingInt(i -> i));
            final List<FlaggedHost.DestinationCount> top = new ArrayList<>();
            for (int k = 0; k < Math.min(TOP, order.size()); k++)
            {
                final int i = order.get(k);
                top.add(new FlaggedHost.DestinationCount(Addresses.format(destHi[i], destLo[i]),
                    destCount[i] - destWhileBlocked[i], destWhileBlocked[i]));
            }
            final List<FlaggedHost.MinuteCount> minutes = new ArrayList<>();
            if (lastMinute != Long.MIN_VALUE)
            {
                for (long m = Math.max(lastMinute - MINUTES + 1, firstMinute); m <= lastMinute; m++)
                {
                    minutes.add(new FlaggedHost.MinuteCount(Verdicts.toInstant(m * MINUTE_NANOS),
                        perMinute[Math.floorMod(m, MINUTES)], failuresPerMinute[Math.floorMod(m, MINUTES)]));
                }
            }
            final Map<Integer, Long> byPort = new LinkedHashMap<>();
            for (int i = 0; i <= PORTS.length; i++)
            {
                if (portCounts[i] != 0)
                {
                    byPort.put(i < PORTS.length ? PORTS[i] : 0, portCounts[i]);
                }
            }
            return new FlaggedHost(host, className, instant(firstSeenNanos), instant(lastSeenNanos),
                instant(firstFlaggedNanos), List.copyOf(firings), firingsNotListed, List.copyOf(top),
                List.copyOf(minutes),
                Collections.unmodifiableMap(byPort), attempts, failures, attemptsWhileBlocked);
        }

        private static Instant instant(final long nanos)
        {
            return Verdicts.toInstant(nanos);
        }
    }
}
