package org.egress25.analysis;

/**
 * Outstanding SYNs in the order they were sent, so finding the ones whose SYN timeout ran out costs one
 * step per SYN instead of a pass over the whole connection table.
 *
 * <p>The timeout is the same for every attempt and capture time only moves forward, so deadlines come out
 * of a FIFO already sorted: a tick pops from the head while the head is due. An entry is only a hint: the
 * connection is looked up again and judged only if it is still waiting with the same SYN time (it may have
 * been answered, reset, retransmitted or evicted since). The queue makes timeouts proportional to SYNs, where
 * sweeping the whole connection table costs a third of the analysis thread on the replay benchmark
 * (benchmarks/NOTES.md, "SYN deadlines").
 *
 * <p>It grows with use up to the connection table's capacity: when full, the oldest hint is dropped and
 * that attempt is left to the slow idle sweep, which still judges SYN timeouts as a safety net.
 */
final class SynDeadlines
{
    private static final int INITIAL = 4096;

    private final int maxSize;
    private long[] keys;
    private int[] ports;
    private long[] sentNanos;
    private int mask;
    private long head;
    private long tail;

    SynDeadlines(final int capacity)
    {
        maxSize = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1);
        allocate(Math.min(maxSize, INITIAL));
    }

    private void allocate(final int size)
    {
        mask = size - 1;
        keys = new long[size * 4];
        ports = new int[size];
        sentNanos = new long[size];
    }

    /** Doubles the ring, keeping the order; like the connection table it grows with use, not up front. */
    private void grow()
    {
        final long[] oldKeys = keys;
        final int[] oldPorts = ports;
        final long[] oldSent = sentNanos;
        final int oldMask = mask;
        final int count = (int)(tail - head);
        allocate((mask + 1) * 2);
        for (int n = 0; n < count; n++)
        {
            final int from = (int)((head + n) & oldMask);
            System.arraycopy(oldKeys, from * 4, keys, n * 4, 4);
            ports[n] = oldPorts[from];
            sentNanos[n] = oldSent[from];
        }
        head = 0;
        tail = count;
    }

    void add(final long cHi, final long cLo, final long sHi, final long sLo, final int packedPorts, final long nowNanos)
    {
        if (tail - head > mask)
        {
            if (mask + 1 < maxSize)
            {
                grow();
            }
            else
            {
                head++;
            }
        }
        final int i = (int)(tail & mask);
        keys[i * 4] = cHi;
        keys[i * 4 + 1] = cLo;
        keys[i * 4 + 2] = sHi;
        keys[i * 4 + 3] = sLo;
        ports[i] = packedPorts;
        sentNanos[i] = nowNanos;
        tail++;
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    /** Index of the oldest hint; valid until {@link #pop()}. */
    int head()
    {
        return (int)(head & mask);
    }

    void pop()
    {
        head++;
    }

    long sentNanos(final int i)
    {
        return sentNanos[i];
    }

    long clientHi(final int i)
    {
        return keys[i * 4];
    }

    long clientLo(final int i)
    {
        return keys[i * 4 + 1];
    }

    long serverHi(final int i)
    {
        return keys[i * 4 + 2];
    }

    long serverLo(final int i)
    {
        return keys[i * 4 + 3];
    }

    int ports(final int i)
    {
        return ports[i];
    }
}
