package org.egress25.synth;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * One TCP connection as seen from a tap next to the inside network: client packets cross it the moment they
 * are sent, server packets one round trip after the client packet they answer.
 *
 * <p>Sequence numbers start at random ISNs and advance by payload (SYN and FIN count one); every segment after
 * the handshake carries the latest acknowledgement. When one side sends twice in a row the other side's pure
 * ACK goes first, as a delayed ACK would; bulk data is acknowledged every second segment. {@link #now()} is the
 * time of the last packet, and each call moves it forward by the delay a real peer would take.
 */
final class TcpSession
{
    private static final int CLIENT_WINDOW = 64_240;
    private static final int SERVER_WINDOW = 65_160;
    /** Spacing of back-to-back segments from the client's own NIC (1 Gb/s) and through the server's path. */
    private static final int CLIENT_GAP_MICROS = 12;
    private static final int SERVER_GAP_MICROS = 110;
    /** 1 s then 3 s: the first retransmission doubles the initial 1 s RTO (RFC 6298). */
    static final long[] SYN_RETRY_MICROS = {1_000_000L, 3_000_000L};

    private final Context context;
    private final SplittableRandom random;
    final Node client;
    final Node server;
    final int clientPort;
    final int serverPort;
    private final int rttMicros;
    private long clientSeq;
    private long serverSeq;
    private long now;
    private int lastSender;

    TcpSession(
        final Context context, final SplittableRandom random, final Node client, final int clientPort,
        final Node server, final int serverPort, final long startMicros, final int rttMicros)
    {
        this.context = context;
        this.random = random;
        this.client = client;
        this.server = server;
        this.clientPort = clientPort;
        this.serverPort = serverPort;
        this.rttMicros = rttMicros;
        this.clientSeq = random.nextLong() & 0xffff_ffffL;
        this.serverSeq = random.nextLong() & 0xffff_ffffL;
        this.now = startMicros;
    }

    long now()
    {
        return now;
    }

    int rttMicros()
    {
        return rttMicros;
    }

    /** Three-way handshake. */
    void connect()
    {
        synAndSynAck();
        now += 20 + random.nextInt(60);
        emit(true, now, Frames.ACK, serverSeq, null, 0, 0, 0);
        lastSender = 0;
    }

    private void synAndSynAck()
    {
        emit(true, now, Frames.SYN, 0, null, 0, 0, Frames.MSS);
        clientSeq++;
        now += rttMicros;
        emit(false, now, Frames.SYN | Frames.ACK, clientSeq, null, 0, 0, Frames.MSS);
        serverSeq++;
    }

    /** A SYN nobody answers, retransmitted after 1 s and 3 s; the client then gives up. */
    void unanswered()
    {
        emit(true, now, Frames.SYN, 0, null, 0, 0, Frames.MSS);
        final long first = now;
        for (final long retry : SYN_RETRY_MICROS)
        {
            now = first + retry;
            emit(true, now, Frames.SYN, 0, null, 0, 0, Frames.MSS);
        }
    }

    /** One SYN and silence; a scanner does not retransmit. */
    void unansweredOnce()
    {
        emit(true, now, Frames.SYN, 0, null, 0, 0, Frames.MSS);
    }

    /** A SYN to a closed port, answered by RST-ACK (sequence 0, acknowledging the SYN). */
    void refused()
    {
        emit(true, now, Frames.SYN, 0, null, 0, 0, Frames.MSS);
        now += rttMicros;
        final long savedServerSeq = serverSeq;
        serverSeq = 0;
        emit(false, now, Frames.RST | Frames.ACK, clientSeq + 1, null, 0, 0, 0);
        serverSeq = savedServerSeq;
    }

    /** Half-open probe: SYN, SYN-ACK, and the client's RST instead of completing the handshake. */
    void probeAndReset()
    {
        synAndSynAck();
        now += 30;
        emit(true, now, Frames.RST, 0, null, 0, 0, 0);
    }

    void client(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        client(bytes, 0, bytes.length, 200 + random.nextInt(1_800));
    }

    /** Client data after {@code delayMicros} of client think time. */
    void client(final byte[] data, final int offset, final int length, final long delayMicros)
    {
        oweAckIfSameSender(true);
        now += delayMicros;
        send(true, data, offset, length);
    }

    void server(final String text)
    {
        server(text, 300 + random.nextInt(15_000));
    }

    /** A server reply; it crosses the tap a round trip plus {@code thinkMicros} after the last client packet. */
    void server(final String text, final long thinkMicros)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        server(bytes, 0, bytes.length, thinkMicros);
    }

    void server(final byte[] data, final int offset, final int length, final long thinkMicros)
    {
        final boolean repeated = lastSender == 2;
        oweAckIfSameSender(false);
        now += (repeated ? 0 : rttMicros) + thinkMicros;
        send(false, data, offset, length);
    }

    /** Client closes: FIN, the server's FIN, the last ACK. */
    void closeByClient()
    {
        now += 100 + random.nextInt(2_000);
        emit(true, now, Frames.FIN | Frames.ACK, serverSeq, null, 0, 0, 0);
        clientSeq++;
        now += rttMicros;
        emit(false, now, Frames.FIN | Frames.ACK, clientSeq, null, 0, 0, 0);
        serverSeq++;
        now += 30 + random.nextInt(50);
        emit(true, now, Frames.ACK, serverSeq, null, 0, 0, 0);
    }

    /** Server closes (after 221 or 421): its FIN, the client's FIN, the last ACK. */
    void closeByServer()
    {
        now += lastSender == 2 ? 50 : rttMicros;
        emit(false, now, Frames.FIN | Frames.ACK, clientSeq, null, 0, 0, 0);
        serverSeq++;
        now += 100 + random.nextInt(500);
        emit(true, now, Frames.FIN | Frames.ACK, serverSeq, null, 0, 0, 0);
        clientSeq++;
        now += rttMicros;
        emit(false, now, Frames.ACK, clientSeq, null, 0, 0, 0);
    }

    /** Client aborts the connection. */
    void resetByClient()
    {
        now += 100 + random.nextInt(1_000);
        emit(true, now, Frames.RST | Frames.ACK, serverSeq, null, 0, 0, 0);
    }


    private void oweAckIfSameSender(final boolean fromClient)
    {
        final int sender = fromClient ? 1 : 2;
        if (lastSender == sender)
        {
            if (fromClient)
            {
                final long at = now + rttMicros;
                emit(false, at, Frames.ACK, clientSeq, null, 0, 0, 0);
                now = at;
            }
            else
            {
                now += 40;
                emit(true, now, Frames.ACK, serverSeq, null, 0, 0, 0);
            }
        }
    }

    /** Cuts data into MSS-sized segments; the receiver ACKs every second one of a multi-segment burst. */
    private void send(final boolean fromClient, final byte[] data, final int offset, final int length)
    {
        final int gap = fromClient ? CLIENT_GAP_MICROS : SERVER_GAP_MICROS;
        int sent = 0;
        int segments = 0;
        long at = now;
        while (sent < length)
        {
            final int chunk = Math.min(Frames.MSS, length - sent);
            final boolean last = sent + chunk == length;
            emit(fromClient, at, Frames.ACK | (last ? Frames.PSH : 0), fromClient ? serverSeq : clientSeq,
                data, offset + sent, chunk, 0);
            if (fromClient)
            {
                clientSeq += chunk;
            }
            else
            {
                serverSeq += chunk;
            }
            sent += chunk;
            segments++;
            if (!last && (segments & 1) == 0)
            {
                final long ackAt = at + (fromClient ? rttMicros : 25);
                emit(!fromClient, ackAt, Frames.ACK, fromClient ? clientSeq : serverSeq, null, 0, 0, 0);
            }
            if (!last)
            {
                at += gap;
            }
        }
        now = at;
        lastSender = fromClient ? 1 : 2;
    }

    private void emit(
        final boolean fromClient, final long micros, final int flags, final long ack,
        final byte[] payload, final int offset, final int length, final int mss)
    {
        if (fromClient)
        {
            context.wire.tcp(micros, client, server, clientPort, serverPort, clientSeq, ack, flags, CLIENT_WINDOW, mss,
                payload, offset, length);
        }
        else
        {
            context.wire.tcp(micros, server, client, serverPort, clientPort, serverSeq, ack, flags, SERVER_WINDOW, mss,
                payload, offset, length);
        }
    }
}
