package org.egress25.smtp;

/**
 * In-order delivery of one direction of a TCP connection, by sequence number, with a small reorder buffer.
 *
 * <pre>
 *   nextSeq                  held out of order (at most reorderSegments, reorderBytes)
 *      |                     |
 *  ----+-------- hole -------+==seg==+---+==seg==+------&gt;  sequence space (mod 2^32)
 * </pre>
 *
 * A segment at {@code nextSeq} is delivered at once, then any held segment it makes contiguous. A segment
 * wholly before {@code nextSeq} is a retransmission and dropped; one overlapping it delivers only its new
 * tail. A segment beyond is held; when the buffer cannot take it, the hole is given up: the consumer hears
 * {@link Consumer#onGap} with the number of bytes missing and resynchronises, and delivery carries on from
 * the earliest held segment. Sequence comparisons are done as signed 32-bit differences so wrap-around
 * at 2^32 is harmless.
 *
 * <p>All storage is allocated when the connection slot is created and reused for every connection after.
 */
final class Reassembler
{
    /** Receives bytes in order. Implemented by long-lived objects, so no lambda is made per packet. */
    interface Consumer
    {
        void onBytes(byte[] buffer, int offset, int length);

        void onGap(long missingBytes);
    }

    private static final long SEQ_MASK = 0xffff_ffffL;

    /** A segment this far beyond nextSeq is not plausibly the same stream (default windows are far smaller). */
    private static final int MAX_AHEAD = 1 << 24;

    /** Made on the first out-of-order segment: most connections never have one, so most slots never pay. */
    private byte[] held;
    private final int heldCapacity;
    private final long[] heldSeq;
    private final int[] heldOffset;
    private final int[] heldLength;
    private int heldCount;
    private int heldUsed;

    boolean seen;
    boolean synced;
    boolean finSeen;
    long nextSeq;
    long bytes;
    long retransmittedBytes;
    int reorderOverflows;

    /** Bytes of the reorder buffer as made so far (0 until the first out-of-order segment). */
    int heldCapacityMade()
    {
        return held == null ? 0 : held.length;
    }

    Reassembler(final int reorderBytes, final int reorderSegments)
    {
        heldCapacity = reorderBytes;
        heldSeq = new long[reorderSegments];
        heldOffset = new int[reorderSegments];
        heldLength = new int[reorderSegments];
    }

    void reset()
    {
        heldCount = 0;
        heldUsed = 0;
        seen = false;
        synced = false;
        finSeen = false;
        nextSeq = 0;
        bytes = 0;
        retransmittedBytes = 0;
        reorderOverflows = 0;
    }

    /** A SYN (or SYN-ACK) with initial sequence number {@code seq}: data starts at seq + 1. */
    void onSyn(final long seq)
    {
        seen = true;
        if (!synced)
        {
            synced = true;
            nextSeq = (seq + 1) & SEQ_MASK;
        }
    }

    /** Payload at sequence number {@code seq}. */
    void onData(final long seq, final byte[] frame, final int offset, final int length, final Consumer consumer)
    {
        seen = true;
        if (length <= 0)
        {
            return;
        }
        if (!synced)
        {
            // Picked up mid-stream (capture started late, or the SYN was lost): start here.
            synced = true;
            nextSeq = seq & SEQ_MASK;
        }
        final int ahead = (int)(seq - nextSeq);
        if (ahead <= 0)
        {
            deliverFrom(seq, frame, offset, length, consumer);
            drain(consumer);
            return;
        }
        if (ahead > MAX_AHEAD)
        {
            skipTo(seq, consumer);
            deliverFrom(seq, frame, offset, length, consumer);
            drain(consumer);
            return;
        }
        if (!hold(seq, frame, offset, length))
        {
            reorderOverflows++;
            flush(consumer);
            if ((int)(seq - nextSeq) > 0)
            {
                skipTo(seq, consumer);
            }
            deliverFrom(seq, frame, offset, length, consumer);
            drain(consumer);
        }
    }

    /**
     * The other side acknowledged up to {@code ack}. When that is beyond a hole we are holding data behind,
     * the peer has the missing bytes and the capture lost them: waiting longer cannot help, so the hole is
     * given up now instead of when the buffer fills. Without held data nothing is done, because on a SPAN
     * port an ACK can overtake the data it acknowledges.
     */
    void onPeerAck(final long ack, final Consumer consumer)
    {
        while (heldCount > 0 && synced && (int)(ack - nextSeq) > 0)
        {
            final int earliest = earliestHeld();
            if ((int)(heldSeq[earliest] - ack) > 0)
            {
                return;
            }
            if ((int)(heldSeq[earliest] - nextSeq) > 0)
            {
                skipTo(heldSeq[earliest], consumer);
            }
            drain(consumer);
        }
    }

    private int earliestHeld()
    {
        int earliest = 0;
        for (int i = 1; i < heldCount; i++)
        {
            if ((int)(heldSeq[i] - heldSeq[earliest]) < 0)
            {
                earliest = i;
            }
        }
        return earliest;
    }

    /** Gives up on any hole and delivers everything held, in order: used when the connection ends. */
    void flush(final Consumer consumer)
    {
        while (heldCount > 0)
        {
            final int earliest = earliestHeld();
            if ((int)(heldSeq[earliest] - nextSeq) > 0)
            {
                skipTo(heldSeq[earliest], consumer);
            }
            drain(consumer);
        }
    }

    int heldBytes()
    {
        return heldUsed;
    }

    private void skipTo(final long seq, final Consumer consumer)
    {
        final long missing = (seq - nextSeq) & SEQ_MASK;
        nextSeq = seq & SEQ_MASK;
        consumer.onGap(missing);
    }

    /** Delivers the part of a segment at or after nextSeq; the part before it was seen already. */
    private void deliverFrom(final long seq, final byte[] frame, final int offset, final int length, final Consumer consumer)
    {
        final int skip = (int)(nextSeq - seq);
        if (skip >= length)
        {
            retransmittedBytes += length;
            return;
        }
        final int from = Math.max(0, skip);
        retransmittedBytes += from;
        final int count = length - from;
        nextSeq = (nextSeq + count) & SEQ_MASK;
        bytes += count;
        consumer.onBytes(frame, offset + from, count);
    }

    /** Delivers held segments that nextSeq has reached, until none is left that it reaches. */
    private void drain(final Consumer consumer)
    {
        boolean progress = true;
        while (progress && heldCount > 0)
        {
            progress = false;
            for (int i = 0; i < heldCount; i++)
            {
                if ((int)(heldSeq[i] - nextSeq) <= 0)
                {
                    final long seq = heldSeq[i];
                    final int off = heldOffset[i];
                    final int len = heldLength[i];
                    removeHeld(i);
                    deliverFrom(seq, held, off, len, consumer);
                    progress = true;
                    break;
                }
            }
        }
        if (heldCount == 0)
        {
            heldUsed = 0;
        }
    }

    private boolean hold(final long seq, final byte[] frame, final int offset, final int length)
    {
        for (int i = 0; i < heldCount; i++)
        {
            if (heldSeq[i] == (seq & SEQ_MASK) && heldLength[i] >= length)
            {
                retransmittedBytes += length;
                return true;
            }
        }
        if (heldCount == heldSeq.length || heldUsed + length > heldCapacity)
        {
            return false;
        }
        if (held == null)
        {
            held = new byte[heldCapacity];
        }
        System.arraycopy(frame, offset, held, heldUsed, length);
        heldSeq[heldCount] = seq & SEQ_MASK;
        heldOffset[heldCount] = heldUsed;
        heldLength[heldCount] = length;
        heldCount++;
        heldUsed += length;
        return true;
    }

    /**
     * Removes entry i, keeping the bytes where they are (the held buffer is reclaimed when it empties;
     * that wastes space only while a hole stays open, which the overflow path bounds).
     */
    private void removeHeld(final int i)
    {
        final int last = heldCount - 1;
        heldSeq[i] = heldSeq[last];
        heldOffset[i] = heldOffset[last];
        heldLength[i] = heldLength[last];
        heldCount = last;
    }
}
