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
import org.egress25.policy.Addresses;

/**
 * Report detail for hosts that fired at least once, bounded to {@code maxHosts} records of at most about
 * 3.6 KB each (1.4 KB of counters and sketch, up to {@value #MAX_FIRINGS} firings of some 270 bytes), so
 * 10,000 flagged hosts take at most some 36 MB however long the run. Identity is a {@link HostTable}, so finding a host's record is a primitive
 * probe; a full store drops the least recently seen of a few sampled records.
 *
 * <p>Updating a record on each further attempt allocates nothing: a ring of 60 per-minute counts, a
 * 32-entry space-saving sketch of destinations (Metwally et al., 2005) and five per-port totals.
 */
final class FlaggedHosts
{
    static final int MINUTES = 60;
    static final int SKETCH = 32;
    static final int TOP = 10;
    static final int MAX_FIRINGS = 8;
    static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);
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
        long lastMinute = Long.MIN_VALUE;
        /** First minute the series covers: the one of the first firing, or the one before when seeded. */
        long firstMinute;
        final long[] destHi = new long[SKETCH];
        final long[] destLo = new long[SKETCH];
        final long[] destCount = new long[SKETCH];
        int destUsed;
        final long[] portCounts = new long[PORTS.length + 1];
        long attempts;
        long failures;
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

        void attempt(final long serverHi, final long serverLo, final int serverPort, final long nowNanos)
        {
            attempts++;
            countMinute(nowNanos);
            countPort(serverPort);
            countDestination(serverHi, serverLo);
        }

        void failure()
        {
            failures++;
        }

        void fired(final FlaggedHost.RuleFiring firing)
        {
            if (firings.size() < MAX_FIRINGS)
            {
                firings.add(firing);
            }
            else
            {
                firingsNotListed++;
            }
        }

        private void countMinute(final long nowNanos)
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
                }
                lastMinute = minute;
            }
            else if (lastMinute - minute >= MINUTES)
            {
                return;
            }
            perMinute[Math.floorMod(minute, MINUTES)]++;
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

        private void countDestination(final long hi, final long lo)
        {
            int smallest = 0;
            for (int i = 0; i < destUsed; i++)
            {
                if (destLo[i] == lo && destHi[i] == hi)
                {
                    destCount[i]++;
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
                destUsed++;
                return;
            }
            destHi[smallest] = hi;
            destLo[smallest] = lo;
            destCount[smallest]++;
        }

        FlaggedHost toFlaggedHost()
        {
            final List<Integer> order = new ArrayList<>();
            for (int i = 0; i < destUsed; i++)
            {
                order.add(i);
            }
            order.sort(Comparator.comparingLong((Integer i) -> -destCount[i]).thenComparingInt(i -> i));
            final List<FlaggedHost.DestinationCount> top = new ArrayList<>();
            for (int k = 0; k < Math.min(TOP, order.size()); k++)
            {
                final int i = order.get(k);
                top.add(new FlaggedHost.DestinationCount(Addresses.format(destHi[i], destLo[i]), destCount[i]));
            }
            final List<FlaggedHost.MinuteCount> minutes = new ArrayList<>();
            if (lastMinute != Long.MIN_VALUE)
            {
                for (long m = Math.max(lastMinute - MINUTES + 1, firstMinute); m <= lastMinute; m++)
                {
                    minutes.add(new FlaggedHost.MinuteCount(
                        Verdicts.toInstant(m * MINUTE_NANOS), perMinute[Math.floorMod(m, MINUTES)]));
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
                Collections.unmodifiableMap(byPort), attempts, failures);
        }

        private static Instant instant(final long nanos)
        {
            return Verdicts.toInstant(nanos);
        }
    }
}
