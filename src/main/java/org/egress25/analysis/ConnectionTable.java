package org.egress25.analysis;

/**
 * SMTP connections in flight, keyed by their 4-tuple, in a fixed-capacity open-addressing table of
 * primitive arrays. It exists to tell a retransmitted SYN from a new attempt, to notice an attempt that got
 * a RST or no SYN-ACK at all, and to count connections open at once.
 *
 * <p>Capacity is fixed at start (a power of two at least twice {@code maxEntries}, so the load factor stays
 * at most 0.5) and never grows: a SYN flood cannot grow it. Each slot costs 49 bytes (four address longs,
 * packed ports, time, state), so 98 to 196 bytes per allowed connection; 262,144 connections take 25 to
 * 50 MB. Deletion shifts the probe run back (no tombstones).
 */
final class ConnectionTable
{
    static final byte EMPTY = 0;
    static final byte SYN_SENT = 1;
    static final byte ESTABLISHED = 2;
    private static final int SAMPLE = 8;

    private final int maxEntries;
    private final int mask;
    final long[] clientHi;
    final long[] clientLo;
    final long[] serverHi;
    final long[] serverLo;
    /** Client port in the high 16 bits, server port in the low 16. */
    final int[] ports;
    /** SYN time while {@link #SYN_SENT}; last segment seen while {@link #ESTABLISHED}. */
    final long[] timeNanos;
    final byte[] state;
    private int size;

    ConnectionTable(final int maxEntries)
    {
        if (maxEntries < 1)
        {
            throw new IllegalArgumentException("maximum connections must be at least 1, was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        final int slots = Integer.highestOneBit(Math.max(2, maxEntries) * 2 - 1) << 1;
        mask = slots - 1;
        clientHi = new long[slots];
        clientLo = new long[slots];
        serverHi = new long[slots];
        serverLo = new long[slots];
        ports = new int[slots];
        timeNanos = new long[slots];
        state = new byte[slots];
    }

    int size()
    {
        return size;
    }

    int slots()
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
        int i = hash(cHi, cLo, sHi, sLo, packedPorts) & mask;
        while (state[i] != EMPTY)
        {
            if (ports[i] == packedPorts && clientLo[i] == cLo && serverLo[i] == sLo && clientHi[i] == cHi
                && serverHi[i] == sHi)
            {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Adds a connection known to be absent; the caller makes room first when {@link #isFull()}. */
    int insert(
        final long cHi, final long cLo, final long sHi, final long sLo, final int packedPorts, final byte newState,
        final long nowNanos)
    {
        int i = hash(cHi, cLo, sHi, sLo, packedPorts) & mask;
        while (state[i] != EMPTY)
        {
            i = (i + 1) & mask;
        }
        clientHi[i] = cHi;
        clientLo[i] = cLo;
        serverHi[i] = sHi;
        serverLo[i] = sLo;
        ports[i] = packedPorts;
        timeNanos[i] = nowNanos;
        state[i] = newState;
        size++;
        return i;
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
            if (state[j] == EMPTY)
            {
                break;
            }
            final int home = hash(clientHi[j], clientLo[j], serverHi[j], serverLo[j], ports[j]) & mask;
            final boolean homeBetween = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeBetween)
            {
                clientHi[hole] = clientHi[j];
                clientLo[hole] = clientLo[j];
                serverHi[hole] = serverHi[j];
                serverLo[hole] = serverLo[j];
                ports[hole] = ports[j];
                timeNanos[hole] = timeNanos[j];
                state[hole] = state[j];
                refilled |= hole == slot;
                hole = j;
            }
        }
        state[hole] = EMPTY;
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
            if (state[i] == EMPTY)
            {
                continue;
            }
            found++;
            if (victim < 0 || timeNanos[i] - timeNanos[victim] < 0)
            {
                victim = i;
            }
        }
        if (victim < 0)
        {
            for (int i = 0; i <= mask; i++)
            {
                if (state[i] != EMPTY)
                {
                    return i;
                }
            }
        }
        return victim;
    }
}
