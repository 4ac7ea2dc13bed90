package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * TLS 1.2-shaped bytes for STARTTLS, port 465 and HTTPS: a real record layer with a ClientHello and a
 * ServerHello a dissector can read, then only encrypted-looking records (key exchange, Finished after
 * ChangeCipherSpec, application data) whose contents are noise. Enough for tshark to show "TLS" without a
 * malformed mark, and for an analyser to see what it sees in real life: nothing readable after the hello.
 *
 * <pre>
 *  record:    | type (1) | version 0x0303 (2) | length (2) | body ...
 *  handshake: | msg type (1) | length (3) | body ...
 * </pre>
 */
final class Tls
{
    static final int HANDSHAKE = 0x16;
    static final int CHANGE_CIPHER_SPEC = 0x14;
    static final int APPLICATION_DATA = 0x17;
    /** Largest plaintext record (2^14) plus a typical AEAD overhead of 24 bytes. */
    private static final int MAX_RECORD_BODY = 16_408;

    private Tls()
    {
    }

    /** Both handshake flights of a resumption-free TLS 1.2 session. */
    static void handshake(final TcpSession session, final Context context, final SplittableRandom random)
    {
        final byte[] out = context.scratch;
        int n = clientHello(out, 0, context, random);
        session.client(out, 0, n, 100 + random.nextInt(400));

        n = serverHello(out, 0, context, random);
        session.server(out, 0, n, 500 + random.nextInt(3_000));

        n = handshakeRecord(out, 0, 0x10, 66, context, random);
        n = changeCipherSpec(out, n);
        n = opaqueRecord(out, n, HANDSHAKE, 40, context, random);
        session.client(out, 0, n, 300 + random.nextInt(1_500));

        n = changeCipherSpec(out, 0);
        n = opaqueRecord(out, n, HANDSHAKE, 40, context, random);
        session.server(out, 0, n, 200 + random.nextInt(1_000));
    }

    /** Application data of the given plaintext size from the client, in as many records as it takes. */
    static void clientData(final TcpSession session, final Context context, final SplittableRandom random, final int bytes)
    {
        final int n = applicationData(context.scratch, bytes, context, random);
        session.client(context.scratch, 0, n, 300 + random.nextInt(3_000));
    }

    static void serverData(final TcpSession session, final Context context, final SplittableRandom random, final int bytes)
    {
        final int n = applicationData(context.scratch, bytes, context, random);
        session.server(context.scratch, 0, n, 500 + random.nextInt(20_000));
    }

    /** Close-notify alert, encrypted: a 26-byte application-data-sized alert record. */
    static void closeNotify(final TcpSession session, final Context context, final SplittableRandom random)
    {
        final int n = opaqueRecord(context.scratch, 0, 0x15, 26, context, random);
        session.client(context.scratch, 0, n, 100 + random.nextInt(500));
    }

    private static int applicationData(final byte[] out, final int bytes, final Context context, final SplittableRandom random)
    {
        final int budget = Math.min(bytes, out.length - 5 * (1 + bytes / MAX_RECORD_BODY) - 64);
        int n = 0;
        int left = Math.max(1, budget);
        while (left > 0 && n + 5 + Math.min(left, MAX_RECORD_BODY) <= out.length)
        {
            final int body = Math.min(left, MAX_RECORD_BODY);
            n = opaqueRecord(out, n, APPLICATION_DATA, body, context, random);
            left -= body;
        }
        return n;
    }

    private static int clientHello(final byte[] out, final int offset, final Context context, final SplittableRandom random)
    {
        final int body = 2 + 32 + 1 + 32 + 2 + 8 + 2;
        int p = recordHeader(out, offset, HANDSHAKE, 4 + body);
        p = helloStart(out, handshakeHeader(out, p, 0x01, body), context, random);
        Frames.putShort(out, p, 8);
        Frames.putShort(out, p + 2, 0xc02f);
        Frames.putShort(out, p + 4, 0xc030);
        Frames.putShort(out, p + 6, 0xc02b);
        Frames.putShort(out, p + 8, 0x009c);
        p += 10;
        out[p++] = 1;
        out[p++] = 0;
        return p;
    }

    /** ServerHello choosing ECDHE-RSA-AES128-GCM-SHA256, then ServerHelloDone, in one record. */
    private static int serverHello(final byte[] out, final int offset, final Context context, final SplittableRandom random)
    {
        final int hello = 2 + 32 + 1 + 32 + 2 + 1;
        int p = recordHeader(out, offset, HANDSHAKE, 4 + hello + 4);
        p = helloStart(out, handshakeHeader(out, p, 0x02, hello), context, random);
        Frames.putShort(out, p, 0xc02f);
        p += 2;
        out[p++] = 0;
        return handshakeHeader(out, p, 0x0e, 0);
    }

    /** What both hellos open with: version 1.2, 32 random bytes, a 32-byte session id. */
    private static int helloStart(final byte[] out, final int offset, final Context context, final SplittableRandom random)
    {
        Frames.putShort(out, offset, 0x0303);
        int p = copyOpaque(out, offset + 2, 32, context, random);
        out[p++] = 32;
        return copyOpaque(out, p, 32, context, random);
    }

    /** A ClientKeyExchange carrying a 65-byte uncompressed EC point. */
    private static int handshakeRecord(
        final byte[] out, final int offset, final int type, final int pointLength, final Context context,
        final SplittableRandom random)
    {
        int p = recordHeader(out, offset, HANDSHAKE, 4 + 1 + pointLength - 1);
        p = handshakeHeader(out, p, type, 1 + pointLength - 1);
        out[p++] = (byte)(pointLength - 1);
        out[p++] = 4;
        return copyOpaque(out, p, pointLength - 2, context, random);
    }

    private static int changeCipherSpec(final byte[] out, final int offset)
    {
        final int p = recordHeader(out, offset, CHANGE_CIPHER_SPEC, 1);
        out[p] = 1;
        return p + 1;
    }

    private static int opaqueRecord(
        final byte[] out, final int offset, final int type, final int length, final Context context,
        final SplittableRandom random)
    {
        return copyOpaque(out, recordHeader(out, offset, type, length), length, context, random);
    }

    private static int recordHeader(final byte[] out, final int offset, final int type, final int length)
    {
        out[offset] = (byte)type;
        Frames.putShort(out, offset + 1, 0x0303);
        Frames.putShort(out, offset + 3, length);
        return offset + 5;
    }

    private static int handshakeHeader(final byte[] out, final int offset, final int type, final int length)
    {
        out[offset] = (byte)type;
        out[offset + 1] = (byte)(length >>> 16);
        out[offset + 2] = (byte)(length >>> 8);
        out[offset + 3] = (byte)length;
        return offset + 4;
    }

    private static int copyOpaque(
        final byte[] out, final int offset, final int length, final Context context, final SplittableRandom random)
    {
        System.arraycopy(context.opaque, context.opaqueOffset(random, length), out, offset, length);
        return offset + length;
    }
}
