package org.egress25.smtp;

import java.util.Arrays;
import org.egress25.host.Addresses;

/**
 * The tracked connections: an open-addressing hash from the connection's addresses and ports to a slot,
 * slots made on first need and reused, a dense list of live slots for the idle sweep, and a per-host
 * count so one host cannot take every slot.
 *
 * <p>Linear probing with backward-shift deletion (Knuth 6.4, algorithm R), so there are no tombstones and
 * a lookup never walks further than the cluster it hashes into. The index holds twice as many cells as
 * there are slots, so clusters stay short. Nothing here allocates once every slot exists.
 *
 * <p>Half-open connections (the client's bare SYNs, nothing else yet) are also on a list in the order they
 * opened, linked through two int arrays by slot: the analyser ends the oldest when it passes the SYN timeout,
 * or when every slot is taken and a new connection needs one. A spoofed SYN is never answered, so a flood of
 * them only ever displaces its own kind; any other segment takes a connection off the list for good.
 */
final class ConnectionTable
{
    private static final int EMPTY = -1;
    private static final long EMPTY_CELL = -1L;

    private final SmtpLimits limits;
    private final SmtpCounters counters;
    private final Session.Listener listener;
    private final boolean keepsText;
    private final Session[] slots;
    private int created;
    private final int[] free;
    private int freeCount;
    /**
     * Each cell holds the connection's full hash (high half) and its slot (low half), or {@link #EMPTY_CELL}.
     * A probe compares the hash before touching the Session: without it every probed cell cost a cache miss on
     * a Session object, and lookups (mostly misses, for segments of flows never tracked) were 30% of the SMTP
     * analyser's time on the replay benchmark. Hash and slot share one long so a probe reads one cache line,
     * not one in an index array and another in a hash array.
     */
    private final long[] cells;
    private final int mask;
    private final Session[] live;
    private int liveCount;
    private final HostCounts hosts;
    private final HostCounts ranges;
    /** Each slot's place in {@link #live}. */
    private final int[] activeIndex;
    /** Whether the slot's connection is on the half-open list. */
    private final boolean[] halfOpen;
    /** The half-open list: next and previous slot by slot, oldest at the head. */
    private final int[] halfNext;
    private final int[] halfPrev;
    private int halfHead = EMPTY;
    private int halfTail = EMPTY;
    private int halfCount;

    /** @param keepsText passed to every {@link Session}: keep reply text for session records */
    ConnectionTable(final SmtpLimits limits, final SmtpCounters counters, final Session.Listener listener,
        final boolean keepsText)
    {
        this.keepsText = keepsText;
        this.limits = limits;
        this.counters = counters;
        this.listener = listener;
        slots = new Session[limits.maxConnections()];
        free = new int[limits.maxConnections()];
        live = new Session[limits.maxConnections()];
        final int size = Integer.highestOneBit(Math.max(2, limits.maxConnections()) * 2 - 1) << 1;
        cells = new long[size];
        Arrays.fill(cells, EMPTY_CELL);
        mask = size - 1;
        hosts = new HostCounts(limits.maxConnections());
        ranges = new HostCounts(limits.maxConnections());
        activeIndex = new int[limits.maxConnections()];
        halfOpen = new boolean[limits.maxConnections()];
        halfNext = new int[limits.maxConnections()];
        halfPrev = new int[limits.maxConnections()];
    }

    int size()
    {
        return liveCount;
    }

    Session live(final int i)
    {
        return live[i];
    }

    int connectionsOf(final long hi, final long lo)
    {
        return hosts.get(hi, lo);
    }

    Session find(final long cHi, final long cLo, final int cPort, final long sHi, final long sLo, final int sPort)
    {
        final int h = hash(cHi, cLo, cPort, sHi, sLo, sPort);
        int cell = h & mask;
        while (true)
        {
            final long entry = cells[cell];
            if (entry == EMPTY_CELL)
            {
                return null;
            }
            if (hashOf(entry) != h)
            {
                cell = (cell + 1) & mask;
                continue;
            }
            final Session s = slots[slotOf(entry)];
            if (s.clientPort() == cPort && s.serverPort() == sPort && s.clientLo() == cLo && s.serverLo() == sLo
                && s.clientHi() == cHi && s.serverHi() == sHi)
            {
                return s;
            }
            cell = (cell + 1) & mask;
        }
    }

    /**
     * Whether a new connection from {@code cHi/cLo} may have a slot now: {@link Cap#CONNECTIONS_PER_HOST},
     * {@link Cap#CONNECTIONS_PER_RANGE} or {@link Cap#CONNECTIONS} when a cap bites (not counted here: the
     * analyser may still make room), else null.
     */
    Cap refusal(final long cHi, final long cLo)
    {
        if (hosts.get(cHi, cLo) >= limits.maxConnectionsPerHost())
        {
            return Cap.CONNECTIONS_PER_HOST;
        }
        if (ranges.get(cHi, rangeLo(cHi, cLo)) >= limits.maxConnectionsPerRange())
        {
            return Cap.CONNECTIONS_PER_RANGE;
        }
        return freeCount == 0 && created == slots.length ? Cap.CONNECTIONS : null;
    }

    /**
     * A slot for a new connection; {@link #refusal} must have said yes. The caller fills its identity with
     * {@link Session#open} and then calls {@link #insert}.
     */
    Session allocate()
    {
        final int slot;
        if (freeCount > 0)
        {
            slot = free[--freeCount];
        }
        else
        {
            slot = created++;
            slots[slot] = new Session(limits, counters, listener, keepsText, slot);
        }
        return slots[slot];
    }

    /** Tracks the opened session; {@code halfOpen} when it opened with a bare client SYN. */
    void insert(final Session s, final boolean halfOpen)
    {
        final int h = hash(s.clientHi(), s.clientLo(), s.clientPort(), s.serverHi(), s.serverLo(), s.serverPort());
        int cell = h & mask;
        while (cells[cell] != EMPTY_CELL)
        {
            cell = (cell + 1) & mask;
        }
        cells[cell] = (long)h << 32 | (s.slot() & 0xFFFF_FFFFL);
        activeIndex[s.slot()] = liveCount;
        live[liveCount++] = s;
        hosts.add(s.clientHi(), s.clientLo(), 1);
        ranges.add(s.clientHi(), rangeLo(s.clientHi(), s.clientLo()), 1);
        if (halfOpen)
        {
            final int slot = s.slot();
            this.halfOpen[slot] = true;
            halfPrev[slot] = halfTail;
            halfNext[slot] = EMPTY;
            if (halfTail == EMPTY)
            {
                halfHead = slot;
            }
            else
            {
                halfNext[halfTail] = slot;
            }
            halfTail = slot;
            halfCount++;
        }
    }

    /** Slots made so far (they are kept and reused). */
    int created()
    {
        return created;
    }

    /** Bytes the buffers of every slot made so far have grown to. */
    long grownBytes()
    {
        long total = 0;
        for (int i = 0; i < created; i++)
        {
            total += slots[i].grownBytes();
        }
        return total;
    }

    /** The oldest half-open connection, or null when there is none. */
    Session oldestHalfOpen()
    {
        return halfHead == EMPTY ? null : slots[halfHead];
    }

    int halfOpenCount()
    {
        return halfCount;
    }

    /** Whether the connection has seen nothing but the client's bare SYNs. */
    boolean isHalfOpen(final Session s)
    {
        return halfOpen[s.slot()];
    }

    /** The connection was answered or carried data: off the half-open list for good. */
    void answered(final Session s)
    {
        final int slot = s.slot();
        if (!halfOpen[slot])
        {
            return;
        }
        halfOpen[slot] = false;
        final int prev = halfPrev[slot];
        final int next = halfNext[slot];
        if (prev == EMPTY)
        {
            halfHead = next;
        }
        else
        {
            halfNext[prev] = next;
        }
        if (next == EMPTY)
        {
            halfTail = prev;
        }
        else
        {
            halfPrev[next] = prev;
        }
        halfCount--;
    }

    void remove(final Session s)
    {
        int cell = hash(s.clientHi(), s.clientLo(), s.clientPort(), s.serverHi(), s.serverLo(), s.serverPort()) & mask;
        // an empty cell's slot half reads -1, never a slot number, so the loop stops only at s or an empty cell
        while (slotOf(cells[cell]) != s.slot())
        {
            if (cells[cell] == EMPTY_CELL)
            {
                return;
            }
            cell = (cell + 1) & mask;
        }
        deleteIndexCell(cell);
        final Session moved = live[--liveCount];
        final int at = activeIndex[s.slot()];
        live[at] = moved;
        activeIndex[moved.slot()] = at;
        live[liveCount] = null;
        hosts.add(s.clientHi(), s.clientLo(), -1);
        ranges.add(s.clientHi(), rangeLo(s.clientHi(), s.clientLo()), -1);
        answered(s);
        free[freeCount++] = s.slot();
    }

    /** Backward-shift delete in the session index; an entry's home comes from its hash, no Session needed. */
    private void deleteIndexCell(final int cell)
    {
        int hole = cell;
        int next = (hole + 1) & mask;
        while (cells[next] != EMPTY_CELL)
        {
            if (!staysPut(hole, next, hashOf(cells[next]) & mask))
            {
                cells[hole] = cells[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        cells[hole] = EMPTY_CELL;
    }

    /** The low half of a client's inside range as an address (the high half is its own): IPv4 /24, IPv6 /64. */
    private static long rangeLo(final long hi, final long lo)
    {
        return Addresses.isIpv4(hi, lo) ? lo & ~0xFFL : 0;
    }

    private static int hashOf(final long entry)
    {
        return (int)(entry >>> 32);
    }

    private static int slotOf(final long entry)
    {
        return (int)entry;
    }

    /** An entry at {@code next} whose home is cyclically within (hole, next] must not move back into the hole. */
    static boolean staysPut(final int hole, final int next, final int home)
    {
        return hole <= next ? hole < home && home <= next : hole < home || home <= next;
    }

    static int hash(final long cHi, final long cLo, final int cPort, final long sHi, final long sLo, final int sPort)
    {
        long h = cLo * 0x9e37_79b9_7f4a_7c15L;
        h ^= cHi + 0x632b_e59b_d9b4_e019L + (h << 6) + (h >>> 2);
        h ^= sLo * 0xc2b2_ae3d_27d4_eb4fL;
        h ^= sHi * 0x1656_67b1_9e37_79f9L;
        h ^= ((long)cPort << 16 | sPort) * 0x85eb_ca77_c2b2_ae63L;
        h ^= h >>> 29;
        h *= 0xbf58_476d_1ce4_e5b9L;
        return (int)(h ^ (h >>> 32));
    }

    /** Connections per inside host: open addressing keyed by the address's two longs. */
    static final class HostCounts
    {
        private final long[] his;
        private final long[] los;
        private final int[] counts;
        private final int[] cells;
        private final int mask;

        HostCounts(final int maxHosts)
        {
            final int size = Integer.highestOneBit(Math.max(2, maxHosts) * 2 - 1) << 1;
            his = new long[size];
            los = new long[size];
            counts = new int[size];
            cells = new int[size];
            Arrays.fill(cells, EMPTY);
            mask = size - 1;
        }

        int get(final long hi, final long lo)
        {
            final int cell = find(hi, lo);
            return cells[cell] == EMPTY ? 0 : counts[cell];
        }

        void add(final long hi, final long lo, final int delta)
        {
            final int cell = find(hi, lo);
            if (cells[cell] == EMPTY)
            {
                if (delta <= 0)
                {
                    return;
                }
                cells[cell] = cell;
                his[cell] = hi;
                los[cell] = lo;
                counts[cell] = 0;
            }
            counts[cell] += delta;
            if (counts[cell] <= 0)
            {
                deleteHost(cell);
            }
        }

        private int find(final long hi, final long lo)
        {
            int cell = homeOf(hi, lo);
            while (cells[cell] != EMPTY && (his[cell] != hi || los[cell] != lo))
            {
                cell = (cell + 1) & mask;
            }
            return cell;
        }

        /**
         * Backward-shift delete where the entry's data lives in the cell itself: moving an entry moves its
         * key and count with it, so {@code cells[i] == i} marks an occupied cell.
         */
        private void deleteHost(final int cell)
        {
            int hole = cell;
            int next = (hole + 1) & mask;
            while (cells[next] != EMPTY)
            {
                final int wanted = homeOf(his[next], los[next]);
                if (!staysPut(hole, next, wanted))
                {
                    his[hole] = his[next];
                    los[hole] = los[next];
                    counts[hole] = counts[next];
                    cells[hole] = hole;
                    hole = next;
                }
                next = (next + 1) & mask;
            }
            cells[hole] = EMPTY;
        }

        private int homeOf(final long hi, final long lo)
        {
            return hash(hi, lo, 0, 0, 0, 0) & mask;
        }
    }
}
