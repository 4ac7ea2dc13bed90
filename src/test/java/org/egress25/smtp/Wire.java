package org.egress25.smtp;

import java.nio.charset.StandardCharsets;
import org.egress25.analysis.Analyser;
import org.egress25.decode.DecodeStatus;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.egress25.policy.Policy;

/**
 * Test-only: builds decoded TCP segments of SMTP connections straight into a ring event and hands them to
 * an analyser, with a capture clock the test moves. Sequence numbers are tracked per direction so tests
 * can also lose, repeat or reorder segments on purpose.
 */
final class Wire
{
    final PacketEvent e = PacketEvent.factory(PacketEvent.MAX_FRAME).newInstance();
    final Analyser analyser;
    final Policy policy;
    long nowNanos = 1_700_000_000_000_000_000L;

    Wire(final Analyser analyser, final Policy policy)
    {
        this.analyser = analyser;
        this.policy = policy;
    }

    void advanceMillis(final long millis)
    {
        nowNanos += millis * 1_000_000L;
        analyser.onTick(nowNanos);
    }

    void end()
    {
        analyser.onEnd(nowNanos);
    }

    Conn connect(final String client, final int clientPort, final String server, final int serverPort)
    {
        final Conn c = new Conn(client, clientPort, server, serverPort);
        c.segment(true, c.clientSeq - 1, 0, PacketEvent.TCP_SYN, null, 0, 0);
        c.segment(false, c.serverSeq - 1, c.clientSeq, PacketEvent.TCP_SYN | PacketEvent.TCP_ACK, null, 0, 0);
        c.segment(true, c.clientSeq, c.serverSeq, PacketEvent.TCP_ACK, null, 0, 0);
        return c;
    }

    /** A connection whose SYN the capture missed: it starts with data. */
    Conn pickUp(final String client, final int clientPort, final String server, final int serverPort)
    {
        return new Conn(client, clientPort, server, serverPort);
    }

    final class Conn
    {
        final long[] clientAddr;
        final long[] serverAddr;
        final int clientPort;
        final int serverPort;
        long clientSeq = 1_000_000L;
        long serverSeq = 4_294_967_000L;

        Conn(final String client, final int clientPort, final String server, final int serverPort)
        {
            this.clientAddr = Addresses.parse(client);
            this.serverAddr = Addresses.parse(server);
            this.clientPort = clientPort;
            this.serverPort = serverPort;
        }

        Conn client(final String text)
        {
            return client(text.getBytes(StandardCharsets.UTF_8));
        }

        Conn server(final String text)
        {
            return server(text.getBytes(StandardCharsets.UTF_8));
        }

        Conn client(final byte[] bytes)
        {
            clientSeq = send(true, clientSeq, serverSeq, bytes, 0, bytes.length);
            return this;
        }

        Conn server(final byte[] bytes)
        {
            serverSeq = send(false, serverSeq, clientSeq, bytes, 0, bytes.length);
            return this;
        }

        /** Sends the bytes as segments of the given sizes (the last size repeats). */
        Conn clientSplit(final byte[] bytes, final int... sizes)
        {
            clientSeq = sendSplit(true, clientSeq, serverSeq, bytes, sizes);
            return this;
        }

        Conn serverSplit(final byte[] bytes, final int... sizes)
        {
            serverSeq = sendSplit(false, serverSeq, clientSeq, bytes, sizes);
            return this;
        }

        /** The client's next bytes never reach the capture (but the stream moves on). */
        Conn clientLost(final int bytes)
        {
            clientSeq = (clientSeq + bytes) & 0xffff_ffffL;
            return this;
        }

        void finBoth()
        {
            segment(true, clientSeq, serverSeq, PacketEvent.TCP_FIN | PacketEvent.TCP_ACK, null, 0, 0);
            segment(false, serverSeq, clientSeq + 1, PacketEvent.TCP_FIN | PacketEvent.TCP_ACK, null, 0, 0);
            segment(true, clientSeq + 1, serverSeq + 1, PacketEvent.TCP_ACK, null, 0, 0);
        }

        void rst()
        {
            segment(true, clientSeq, serverSeq, PacketEvent.TCP_RST, null, 0, 0);
        }

        private long sendSplit(final boolean fromClient, final long seq, final long ack, final byte[] bytes, final int[] sizes)
        {
            long s = seq;
            int at = 0;
            int k = 0;
            while (at < bytes.length)
            {
                final int size = Math.max(1, sizes[Math.min(k++, sizes.length - 1)]);
                final int n = Math.min(size, bytes.length - at);
                s = send(fromClient, s, ack, bytes, at, n);
                at += n;
            }
            return s;
        }

        private long send(final boolean fromClient, final long seq, final long ack, final byte[] bytes, final int from, final int n)
        {
            segment(fromClient, seq, ack, PacketEvent.TCP_ACK | PacketEvent.TCP_PSH, bytes, from, n);
            return (seq + n) & 0xffff_ffffL;
        }

        /** One segment with an explicit sequence number (for reordering and retransmission tests). */
        void segment(final boolean fromClient, final long seq, final long ack, final int flags, final byte[] bytes,
            final int from, final int n)
        {
            e.clearDecoded();
            e.kind = PacketEvent.KIND_PACKET;
            e.timestampNanos = nowNanos;
            e.status = DecodeStatus.OK;
            e.ipVersion = Addresses.isIpv4(clientAddr[0], clientAddr[1]) ? 4 : 6;
            final long[] src = fromClient ? clientAddr : serverAddr;
            final long[] dst = fromClient ? serverAddr : clientAddr;
            e.srcHi = src[0];
            e.srcLo = src[1];
            e.dstHi = dst[0];
            e.dstLo = dst[1];
            e.srcPort = fromClient ? clientPort : serverPort;
            e.dstPort = fromClient ? serverPort : clientPort;
            e.tcpSeq = seq & 0xffff_ffffL;
            e.tcpAck = ack & 0xffff_ffffL;
            e.tcpFlags = flags;
            e.payloadOffset = 0;
            e.payloadLength = n;
            e.payloadWireLength = n;
            if (n > 0)
            {
                System.arraycopy(bytes, from, e.frame, 0, n);
            }
            e.captureLength = n;
            TestCapture.direct(e, policy);
            analyser.onSegment(e);
            analyser.onTick(nowNanos);
        }
    }
}
