package org.egress25.synth;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A DNS lookup over UDP 53: the query and the resolver's answer, with the question echoed and the answer's
 * owner name compressed to a pointer at offset 12, as every resolver writes it.
 *
 * <pre>
 *  | id | flags | qd | an | ns | ar |  name... | type | class |  (answer) c0 0c | type | class | ttl | rdlen | rdata
 * </pre>
 */
final class Dns
{
    static final int A = 1;
    static final int MX = 15;
    static final int AAAA = 28;
    private static final int HEADER = 12;

    private Dns()
    {
    }

    /**
     * Query and answer between {@code client} and {@code resolver} at {@code micros}; returns when the answer
     * crossed the tap.
     *
     * @param rdata the answer's data: 4 or 16 address bytes, or for MX a host name (the preference is 10)
     */
    static long lookup(
        final Context context, final SplittableRandom random, final Node client, final Node resolver,
        final long micros, final String name, final int type, final byte[] rdata)
    {
        final byte[] out = context.scratch;
        final int id = random.nextInt(65_536);
        final int port = 32_768 + random.nextInt(28_000);
        int n = header(out, id, 0x0100, 0);
        n = question(out, n, name, type);
        context.wire.udp(micros, client, resolver, port, 53, out, 0, n);

        final long answerAt = micros + 800 + random.nextInt(25_000);
        n = header(out, id, 0x8180, 1);
        n = question(out, n, name, type);
        Frames.putShort(out, n, 0xc00c);
        Frames.putShort(out, n + 2, type);
        Frames.putShort(out, n + 4, 1);
        Frames.putInt(out, n + 6, 60 + random.nextInt(3_540));
        n += 10;
        if (type == MX)
        {
            final int start = n + 2;
            Frames.putShort(out, start, 10);
            final int end = name(out, start + 2, new String(rdata, StandardCharsets.US_ASCII));
            Frames.putShort(out, n, end - start);
            n = end;
        }
        else
        {
            Frames.putShort(out, n, rdata.length);
            System.arraycopy(rdata, 0, out, n + 2, rdata.length);
            n += 2 + rdata.length;
        }
        context.wire.udp(answerAt, resolver, client, 53, port, out, 0, n);
        return answerAt;
    }

    private static int header(final byte[] out, final int id, final int flags, final int answers)
    {
        Frames.putShort(out, 0, id);
        Frames.putShort(out, 2, flags);
        Frames.putShort(out, 4, 1);
        Frames.putShort(out, 6, answers);
        Frames.putShort(out, 8, 0);
        Frames.putShort(out, 10, 0);
        return HEADER;
    }

    private static int question(final byte[] out, final int offset, final String name, final int type)
    {
        final int n = name(out, offset, name);
        Frames.putShort(out, n, type);
        Frames.putShort(out, n + 2, 1);
        return n + 4;
    }

    /** A name as length-prefixed labels ending in the root label. */
    private static int name(final byte[] out, final int offset, final String name)
    {
        int p = offset;
        for (final String label : name.split("\\."))
        {
            out[p++] = (byte)label.length();
            for (int i = 0; i < label.length(); i++)
            {
                out[p++] = (byte)label.charAt(i);
            }
        }
        out[p++] = 0;
        return p;
    }
}
