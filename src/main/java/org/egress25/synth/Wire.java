package org.egress25.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The capture point: hosts hand it packets stamped with the time they would cross the tap, in any order, and
 * it writes them to the pcap sorted by time.
 *
 * <p>Hosts emit whole activities at once (a 40-packet SMTP session, a SYN and its retransmissions 1 s and 3 s
 * later), so packets wait in a binary min-heap until the generator says no host can emit anything earlier
 * ({@link #flushBefore}). The heap orders by (time, emission order), so a segment never overtakes the one sent
 * before it in the same microsecond. Its keys live in primitive arrays beside the slot numbers, so a sift
 * compares longs in one array instead of chasing a packet object per comparison: with ~10,000 packets in flight
 * in the benchmark capture that is the difference between one cache miss per level and none. Frame buffers
 * (1,538 bytes each) are pooled by slot: after warm-up nothing is allocated per packet here.
 */
final class Wire
{
    private final PcapWriter writer;
    private final long packetLimit;

    /** Slot storage: frame bytes and lengths, grown by doubling; free slots are kept on a stack. */
    private byte[][] frames = new byte[4_096][];
    private int[] lengths = new int[4_096];
    private int[] freeSlots = new int[4_096];
    private int freeCount;
    private int slotCount;

    /** The heap: entry i has time {@code heapMicros[i]}, tie-breaker {@code heapOrder[i]}, slot {@code heapSlot[i]}. */
    private long[] heapMicros = new long[4_096];
    private long[] heapOrder = new long[4_096];
    private int[] heapSlot = new int[4_096];
    private int size;

    private long order;
    private long emitted;

    /**
     * @param packetLimit stop writing after this many packets (the benchmark asks for an exact count)
     */
    Wire(final PcapWriter writer, final long packetLimit)
    {
        this.writer = writer;
        this.packetLimit = packetLimit;
    }

    void tcp(
        final long micros, final Node src, final Node dst, final int srcPort, final int dstPort,
        final long seq, final long ack, final int flags, final int window, final int mss,
        final byte[] payload, final int payloadOffset, final int payloadLength)
    {
        final int slot = takeSlot();
        lengths[slot] = Frames.tcp(
            frames[slot], src, dst, srcPort, dstPort, seq, ack, flags, window, mss, payload, payloadOffset, payloadLength);
        push(micros, slot);
    }

    void udp(
        final long micros, final Node src, final Node dst, final int srcPort, final int dstPort,
        final byte[] payload, final int payloadOffset, final int payloadLength)
    {
        final int slot = takeSlot();
        lengths[slot] = Frames.udp(frames[slot], src, dst, srcPort, dstPort, payload, payloadOffset, payloadLength);
        push(micros, slot);
    }

    /** Writes every waiting packet stamped before {@code watermarkMicros}. */
    void flushBefore(final long watermarkMicros)
    {
        try
        {
            while (size > 0 && heapMicros[0] < watermarkMicros)
            {
                final long micros = heapMicros[0];
                final int slot = heapSlot[0];
                pop();
                if (writer.packets() < packetLimit)
                {
                    writer.write(micros, frames[slot], lengths[slot]);
                }
                freeSlots[freeCount++] = slot;
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    void flushAll()
    {
        flushBefore(Long.MAX_VALUE);
    }

    /** True once the packet limit is written; the generator stops scheduling hosts. */
    boolean full()
    {
        return writer.packets() >= packetLimit;
    }

    long emitted()
    {
        return emitted;
    }

    private int takeSlot()
    {
        emitted++;
        if (freeCount > 0)
        {
            return freeSlots[--freeCount];
        }
        if (slotCount == frames.length)
        {
            frames = Arrays.copyOf(frames, slotCount * 2);
            lengths = Arrays.copyOf(lengths, slotCount * 2);
            freeSlots = Arrays.copyOf(freeSlots, slotCount * 2);
        }
        frames[slotCount] = new byte[Frames.MAX_FRAME];
        return slotCount++;
    }

    /** The key (micros, order) sorts before entry {@code other}. */
    private boolean before(final long micros, final long order, final int other)
    {
        return micros < heapMicros[other] || (micros == heapMicros[other] && order < heapOrder[other]);
    }

    private void push(final long micros, final int slot)
    {
        if (size == heapMicros.length)
        {
            heapMicros = Arrays.copyOf(heapMicros, size * 2);
            heapOrder = Arrays.copyOf(heapOrder, size * 2);
            heapSlot = Arrays.copyOf(heapSlot, size * 2);
        }
        final long tie = order++;
        int i = size++;
        while (i > 0)
        {
            final int parent = (i - 1) >>> 1;
            if (!before(micros, tie, parent))
            {
                break;
            }
            move(parent, i);
            i = parent;
        }
        place(i, micros, tie, slot);
    }

    /** Removes the root: the last entry sifts down from the top. */
    private void pop()
    {
        final int last = --size;
        if (last == 0)
        {
            return;
        }
        final long micros = heapMicros[last];
        final long tie = heapOrder[last];
        final int slot = heapSlot[last];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= last)
            {
                break;
            }
            if (child + 1 < last && beforeEntry(child + 1, heapMicros[child], heapOrder[child]))
            {
                child++;
            }
            if (!beforeEntry(child, micros, tie))
            {
                break;
            }
            move(child, i);
            i = child;
        }
        place(i, micros, tie, slot);
    }

    /** Entry {@code index} sorts before the key (micros, tie). */
    private boolean beforeEntry(final int index, final long micros, final long tie)
    {
        return heapMicros[index] < micros || (heapMicros[index] == micros && heapOrder[index] < tie);
    }

    private void move(final int from, final int to)
    {
        heapMicros[to] = heapMicros[from];
        heapOrder[to] = heapOrder[from];
        heapSlot[to] = heapSlot[from];
    }

    private void place(final int index, final long micros, final long tie, final int slot)
    {
        heapMicros[index] = micros;
        heapOrder[index] = tie;
        heapSlot[index] = slot;
    }
}
