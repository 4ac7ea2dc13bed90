package org.egress25.analysis;

/**
 * SMTP connections in flight, keyed by their 4-tuple, in a fixed-capacity open-addressing table of
 * primitive arrays. It exists to tell a retransmitted SYN from a new attempt, to notice an attempt that got
 * a RST or no SYN-ACK at all, and to count connections open at once.
 *
 * <p>The table starts at {@link #INITIAL_SLOTS} and doubles when half full, up to a power of two at least
 * twice {@code maxEntries} (so the load factor stays at most 0.5); a SYN flood cannot grow it past that. A slot is six longs side by side in one array
 * (four address halves, ports and state packed, time): 48 bytes, so a probe usually touches one cache line
 * where separate arrays per field would touch six. That is 96 to 192 bytes per allowed connection;
 * 262,144 connections take 25 to 50 MB. Deletion shifts the probe run back (no tombstones). When full, the
 * oldest of a few sampled entries makes room; an evicted attempt is forgotten, counted neither as failed
 * nor as answered, and its retransmission would count as a new attempt, hence the eviction metric.
 */
final class ConnectionTable
{
    static final byte EMPTY = 0;
    static final byte SYN_SENT = 1;
    static final byte ESTABLISHED = 2;
    private static final int SAMPLE = 8;

    private static final int STRIDE = 6;
    private static final int CLIENT_HI = 0;
    private static final int CLIENT_LO = 1;
    private static final int SERVER_HI = 2;
    private static final int SERVER_LO = 3;
    /** Ports (client high 16 bits, server low 16, as {@link #pack}) shifted left 8, state in the low byte. */
    private static final int META = 4;
    private static final int TIME = 5;

    /** Slots the table starts with (384 KB): enough for a gateway's usual concurrency, small enough for cache. */
    static final int INITIAL_SLOTS = 8192;

    private final int maxEntries;
    private final int maxSlots;
    private int mask;
    private long[] slots;
    private int size;

    ConnectionTable(final int maxEntries)
    {
        if (maxEntries < 1)
        {
            throw new IllegalArgumentException("maximum connections must be at least 1, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        maxSlots = Integer.highestOneBit(Math.max(2, maxEntries) * 2 - 1) << 1;
        final int count = Math.min(maxSlots, INITIAL_SLOTS);
        mask = count - 1;
        slots = new long[count * STRIDE];
    }

    /**
     * Doubles the table (up to the slots the cap needs) once it is half full. Starting small and growing
     * keeps the probed memory in cache: measured on the replay benchmark, lookups in a table allocated
     * at its full 25 MB up front were cache misses and the largest single cost of the analysis thread.
     * Slot numbers change, so callers never hold one across an insert.
     */
    private void growIfHalfFull()
    {
        final int count = mask + 1;
        if ((size + 1) * 2 <= count || count >= maxSlots)
        {
            return;
        }
        final long[] old = slots;
        slots = new long[count * 2 * STRIDE];
        mask = count * 2 - 1;
        for (int j = 0; j < count; j++)
        {
            final int base = j * STRIDE;
            if ((byte)old[base + META] != EMPTY)
            {
                int i = hash(old[base + CLIENT_HI], old[base + CLIENT_LO], old[base + SERVER_HI], old[base + SERVER_LO],
                    (int)(old[base + META] >>> 8)) & mask;
                while (state(i) != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                System.arraycopy(old, base, slots, i * STRIDE, STRIDE);
            }
        }
    }

    private static long meta(final int packedPorts, final byte state)
    {
        return (packedPorts & 0xffff_ffffL) << 8 | state;
    }

    byte state(final int slot)
    {
        return (byte)slots[slot * STRIDE + META];
    }

    void state(final int slot, final byte state)
    {
        final int i = slot * STRIDE + META;
        slots[i] = (slots[i] & ~0xffL) | state;
    }

    long clientHi(final int slot)
    {
        return slots[slot * STRIDE + CLIENT_HI];
    }

    long clientLo(final int slot)
    {
        return slots[slot * STRIDE + CLIENT_LO];
    }

    int ports(final int slot)
    {
        return (int)(slots[slot * STRIDE + META] >>> 8);
    }

    /** SYN time while {@link #SYN_SENT}; last segment seen while {@link #ESTABLISHED}. */
    long timeNanos(final int slot)
    {
        return slots[slot * STRIDE + TIME];
    }

    void timeNanos(final int slot, final long nanos)
    {
        slots[slot * STRIDE + TIME] = nanos;
    }

    int size()
    {
        return size;
    }

    int slotCount()
    {
        return mask + 1;
    }

    boolean isFull()
    {
        return size >= maxEntries;
    }

    private static int hash(final long cHi, final long cLo, final long sHi, final long sLo, final int packedPorts)
    {
        return HostTable.hash(cHi * 31 + sHi, cLo ^ Long.rotateLeft(sLo, 17) ^ ((long)packedPorts << 7));
    }

    static int pack(final int clientPort, final int serverPort)
    {
        return (clientPort << 16) | (serverPort & 0xffff);
    }

    /** Slot of the connection, or -1. */
    int find(final long cHi, final long cLo, final long sHi, final long sLo, final int packedPorts)
    {
        final long wanted = (packedPorts & 0xffff_ffffL) << 8;
        int i = hash(cHi, cLo, sHi, sLo, packedPorts) & mask;
        while (true)
        {
            final int base = i * STRIDE;
            final long meta = slots[base + META];
            if ((meta & 0xff) == EMPTY)
            {
                return -1;
            }
            if ((meta & ~0xffL) == wanted && slots[base + CLIENT_LO] == cLo && slots[base + SERVER_LO] == sLo
                && slots[base + CLIENT_HI] == cHi && slots[base + SERVER_HI] == sHi)
            {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /** Adds a connection known to be absent; the caller makes room first when {@link #isFull()}. */
    int insert(
        final long cHi, final long cLo, final long sHi, final long sLo, final int packedPorts, final byte newState,
        final long nowNanos)
    {
        growIfHalfFull();
        int i = hash(cHi, cLo, sHi, sLo, packedPorts) & mask;
        while (state(i) != EMPTY)
        {
            i = (i + 1) & mask;
        }
        final int base = i * STRIDE;
        slots[base + CLIENT_HI] = cHi;
        slots[base + CLIENT_LO] = cLo;
        slots[base + SERVER_HI] = sHi;
        slots[base + SERVER_LO] = sLo;
        slots[base + META] = meta(packedPorts, newState);
        slots[base + TIME] = nowNanos;
        size++;
        return i;
    }

    private int home(final int slot)
    {
        final int base = slot * STRIDE;
        return hash(slots[base + CLIENT_HI], slots[base + CLIENT_LO], slots[base + SERVER_HI],
            slots[base + SERVER_LO], ports(slot)) & mask;
    }

    /**
     * Empties {@code slot}. Returns true when a later entry was shifted into it, so a sweep must look at the
     * same slot again.
     */
    boolean remove(final int slot)
    {
        int hole = slot;
        int j = slot;
        boolean refilled = false;
        while (true)
        {
            j = (j + 1) & mask;
            if (state(j) == EMPTY)
            {
                break;
            }
            final int home = home(j);
            final boolean homeBetween = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeBetween)
            {
                System.arraycopy(slots, j * STRIDE, slots, hole * STRIDE, STRIDE);
                refilled |= hole == slot;
                hole = j;
            }
        }
        slots[hole * STRIDE + META] = EMPTY;
        size--;
        return refilled;
    }

    /** Of a few occupied slots picked by {@code random}, the one with the oldest time. */
    int sampleVictim(final XorShift random)
    {
        int victim = -1;
        for (int tries = 0, found = 0; found < SAMPLE && tries < SAMPLE * 16; tries++)
        {
            final int i = random.nextInt(mask + 1);
            if (state(i) == EMPTY)
            {
                continue;
            }
            found++;
            if (victim < 0 || timeNanos(i) - timeNanos(victim) < 0)
            {
                victim = i;
            }
        }
        if (victim < 0)
        {
            for (int i = 0; i <= mask; i++)
            {
                if (state(i) != EMPTY)
                {
                    return i;
                }
            }
        }
        return victim;
    }
}
