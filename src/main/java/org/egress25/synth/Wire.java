package org.egress25.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * The capture point: hosts hand it packets stamped with the time they would cross the tap, in any order, and
 * it writes them to the pcap sorted by time.
 *
 * <p>Hosts emit whole activities at once (a 40-packet SMTP session, a SYN and its retransmissions 1 s and 3 s
 * later), so packets wait in a priority queue until the generator says no host can emit anything earlier
 * ({@link #flushBefore}). Ties keep emission order, so a segment never overtakes the one sent before it in
 * the same microsecond. Packet holders and their 1,538-byte buffers are pooled: after warm-up the 4 M-packet
 * benchmark capture allocates nothing per packet here.
 */
final class Wire
{
    /** A frame waiting for its turn. */
    static final class Packet implements Comparable<Packet>
    {
        final byte[] frame = new byte[Frames.MAX_FRAME];
        int length;
        long micros;
        long order;

        @Override
        public int compareTo(final Packet other)
        {
            if (micros != other.micros)
            {
                return Long.compare(micros, other.micros);
            }
            return Long.compare(order, other.order);
        }
    }

    private final PcapWriter writer;
    private final long packetLimit;
    private final PriorityQueue<Packet> pending = new PriorityQueue<>(4096);
    private final ArrayDeque<Packet> pool = new ArrayDeque<>();
    private long order;
    private long emitted;
    private long bytes;

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
        final Packet packet = take(micros);
        packet.length = Frames.tcp(
            packet.frame, src, dst, srcPort, dstPort, seq, ack, flags, window, mss, payload, payloadOffset, payloadLength);
        pending.add(packet);
    }

    void udp(
        final long micros, final Node src, final Node dst, final int srcPort, final int dstPort,
        final byte[] payload, final int payloadOffset, final int payloadLength)
    {
        final Packet packet = take(micros);
        packet.length = Frames.udp(packet.frame, src, dst, srcPort, dstPort, payload, payloadOffset, payloadLength);
        pending.add(packet);
    }

    /** Writes every waiting packet stamped before {@code watermarkMicros}. */
    void flushBefore(final long watermarkMicros)
    {
        try
        {
            while (!pending.isEmpty() && pending.peek().micros < watermarkMicros)
            {
                final Packet packet = pending.poll();
                if (writer.packets() < packetLimit)
                {
                    writer.write(packet.micros, packet.frame, packet.length);
                    bytes += packet.length;
                }
                pool.push(packet);
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

    long written()
    {
        return writer.packets();
    }

    long bytesWritten()
    {
        return bytes;
    }

    long emitted()
    {
        return emitted;
    }

    private Packet take(final long micros)
    {
        final Packet packet = pool.isEmpty() ? new Packet() : pool.pop();
        packet.micros = micros;
        packet.order = order++;
        emitted++;
        return packet;
    }
}
