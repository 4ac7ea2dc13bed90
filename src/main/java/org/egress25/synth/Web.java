package org.egress25.synth;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Ordinary browsing, the bulk of any real capture: a DNS lookup, then an HTTPS page load (TLS handshake, one to
 * three requests, downloads of 1-21 KB, one connection in five aborted with RST), a plain HTTP GET of
 * 0.5-20 KB, or a QUIC-like UDP 443 exchange, in the ratio 70/15/15. Full-size data segments against small
 * ACKs and DNS put the mean frame of this traffic near 700 bytes (measured: HTTPS 756, HTTP 803, DNS 85).
 */
final class Web
{
    private static final byte[] FILLER = ("<div class=\"item\"><p>Lorem ipsum dolor sit amet, consectetur "
        + "adipiscing elit, sed do eiusmod tempor.</p></div>\n").getBytes(StandardCharsets.US_ASCII);

    private Web()
    {
    }

    /** One page load by {@code client}; returns when its last packet crossed the tap. */
    static long visit(final Context context, final SplittableRandom random, final Addressing addressing,
        final Node client, final long startMicros)
    {
        final boolean v6 = client.isIpv6();
        final Node server = addressing.outside(random, v6);
        final String name = "www." + Names.domain(random);
        long t = Dns.lookup(context, random, client, context.resolver(v6), startMicros, name, v6 ? Dns.AAAA : Dns.A,
            server.address);
        t += 100 + random.nextInt(2_000);
        final int choice = random.nextInt(100);
        if (choice < 70)
        {
            return https(context, random, client, server, t);
        }
        if (choice < 85)
        {
            return http(context, random, client, server, name, t);
        }
        return quic(context, random, client, server, t);
    }

    /** Just a lookup, as background name resolution (prefetch, telemetry) does. */
    static long lookup(final Context context, final SplittableRandom random, final Addressing addressing,
        final Node client, final long startMicros)
    {
        final boolean v6 = client.isIpv6();
        final Node answer = addressing.outside(random, v6);
        return Dns.lookup(context, random, client, context.resolver(v6), startMicros, Names.domain(random),
            v6 ? Dns.AAAA : Dns.A, answer.address);
    }

    private static long https(final Context context, final SplittableRandom random, final Node client,
        final Node server, final long startMicros)
    {
        final TcpSession session = new TcpSession(
            context, random, client, client.nextPort(), server, 443, startMicros, 5_000 + random.nextInt(80_000));
        session.connect();
        Tls.handshake(session, context, random);
        final int requests = 1 + random.nextInt(3);
        for (int i = 0; i < requests; i++)
        {
            Tls.clientData(session, context, random, 250 + random.nextInt(600));
            Tls.serverData(session, context, random, 1_000 + random.nextInt(20_000));
        }
        if (random.nextInt(5) == 0)
        {
            // a browser closing a tab aborts the connection instead of closing it
            session.resetByClient();
            return session.now();
        }
        Tls.closeNotify(session, context, random);
        session.closeByClient();
        return session.now();
    }

    private static long http(final Context context, final SplittableRandom random, final Node client,
        final Node server, final String name, final long startMicros)
    {
        final TcpSession session = new TcpSession(
            context, random, client, client.nextPort(), server, 80, startMicros, 5_000 + random.nextInt(80_000));
        session.connect();
        session.client("GET /" + Names.word(random) + ".html HTTP/1.1\r\nHost: " + name
            + "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html\r\nConnection: close\r\n\r\n");
        final int body = 500 + random.nextInt(20_000);
        final byte[] header = ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + body
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] out = context.scratch;
        System.arraycopy(header, 0, out, 0, header.length);
        for (int i = 0; i < body; i++)
        {
            out[header.length + i] = FILLER[i % FILLER.length];
        }
        session.server(out, 0, header.length + body, 2_000 + random.nextInt(40_000));
        session.closeByServer();
        return session.now();
    }

    /**
     * QUIC-like UDP 443: only short-header packets (first byte 01xxxxxx, an 8-byte connection ID, then noise),
     * which dissectors show as protected payload; a long-header Initial would invite a decryption attempt.
     */
    private static long quic(final Context context, final SplittableRandom random, final Node client,
        final Node server, final long startMicros)
    {
        final int port = client.nextPort();
        final int rtt = 5_000 + random.nextInt(60_000);
        final long connectionId = random.nextLong();
        long t = startMicros;
        t = quicPacket(context, random, client, server, port, 443, connectionId, 1_200, t);
        t += rtt;
        final int packets = 3 + random.nextInt(30);
        for (int i = 0; i < packets; i++)
        {
            t = quicPacket(context, random, server, client, 443, port, connectionId, 1_150 + random.nextInt(200), t + 90);
            if (i % 4 == 3)
            {
                quicPacket(context, random, client, server, port, 443, connectionId, 40 + random.nextInt(20), t + 30);
            }
        }
        return quicPacket(context, random, client, server, port, 443, connectionId, 45, t + 200);
    }

    private static long quicPacket(final Context context, final SplittableRandom random, final Node src,
        final Node dst, final int srcPort, final int dstPort, final long connectionId, final int length,
        final long micros)
    {
        final byte[] out = context.scratch;
        System.arraycopy(context.opaque, context.opaqueOffset(random, length), out, 0, length);
        out[0] = (byte)(0x40 | (out[0] & 0x3f));
        Frames.putInt(out, 1, (int)(connectionId >>> 32));
        Frames.putInt(out, 5, (int)connectionId);
        // a second byte of 0x4_ reads as an ISO CLTP unit-data TPDU to tshark's UDP heuristics
        out[1] = (byte)(0x80 | (out[1] & 0x3f));
        context.wire.udp(micros, src, dst, srcPort, dstPort, out, 0, length);
        return micros;
    }
}
