package org.egress25.synth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately separate reader for the tests: parses what the generator wrote without sharing its code,
 * and verifies every IPv4 header, TCP and UDP checksum on the way.
 */
final class PcapRecords
{
    /** One decoded frame; TCP/UDP fields are -1 when absent. */
    record Frame(long micros, byte[] data, int ipVersion, byte[] src, byte[] dst, int protocol, int srcPort,
        int dstPort, int flags, long seq, long ack, int payloadOffset, int payloadLength)
    {
        String payloadText()
        {
            return new String(data, payloadOffset, payloadLength, java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        boolean isTcp()
        {
            return protocol == 6;
        }
    }

    private PcapRecords()
    {
    }

    static List<Frame> read(final Path path) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.getInt() != 0xa1b2c3d4)
        {
            throw new AssertionError("not a little-endian microsecond pcap");
        }
        buffer.position(20);
        if (buffer.getInt() != 1)
        {
            throw new AssertionError("link type is not Ethernet");
        }
        final List<Frame> frames = new ArrayList<>();
        while (buffer.remaining() >= 16)
        {
            final long micros = (buffer.getInt() & 0xffff_ffffL) * 1_000_000L + buffer.getInt();
            final int included = buffer.getInt();
            final int original = buffer.getInt();
            if (included != original)
            {
                throw new AssertionError("truncated record " + frames.size());
            }
            final byte[] data = new byte[included];
            buffer.get(data);
            frames.add(decode(micros, data, frames.size()));
        }
        if (buffer.hasRemaining())
        {
            throw new AssertionError("trailing bytes after the last record");
        }
        return frames;
    }

    private static Frame decode(final long micros, final byte[] d, final int index)
    {
        final int type = u16(d, 12);
        final int ip = 14;
        final int version;
        final byte[] src;
        final byte[] dst;
        final int protocol;
        final int l4;
        final int l4Length;
        if (type == 0x0800)
        {
            version = 4;
            final int headerLength = (d[ip] & 0x0f) * 4;
            check(fold(sum(d, ip, headerLength, 0)) == 0, "IPv4 header checksum", index);
            check(u16(d, ip + 2) == d.length - 14, "IPv4 total length", index);
            src = java.util.Arrays.copyOfRange(d, ip + 12, ip + 16);
            dst = java.util.Arrays.copyOfRange(d, ip + 16, ip + 20);
            protocol = d[ip + 9] & 0xff;
            l4 = ip + headerLength;
            l4Length = d.length - l4;
        }
        else if (type == 0x86dd)
        {
            version = 6;
            check(u16(d, ip + 4) == d.length - 54, "IPv6 payload length", index);
            src = java.util.Arrays.copyOfRange(d, ip + 8, ip + 24);
            dst = java.util.Arrays.copyOfRange(d, ip + 24, ip + 40);
            protocol = d[ip + 6] & 0xff;
            l4 = ip + 40;
            l4Length = d.length - l4;
        }
        else
        {
            throw new AssertionError("frame " + index + " has ether type " + Integer.toHexString(type));
        }
        long pseudo = sum(src, 0, src.length, 0);
        pseudo = sum(dst, 0, dst.length, pseudo) + protocol + l4Length;
        check(fold(sum(d, l4, l4Length, pseudo)) == 0, "transport checksum", index);
        if (protocol == 6)
        {
            final int headerLength = ((d[l4 + 12] & 0xff) >>> 4) * 4;
            return new Frame(micros, d, version, src, dst, protocol, u16(d, l4), u16(d, l4 + 2), d[l4 + 13] & 0xff,
                u32(d, l4 + 4), u32(d, l4 + 8), l4 + headerLength, l4Length - headerLength);
        }
        check(protocol == 17, "protocol is TCP or UDP", index);
        check(u16(d, l4 + 4) == l4Length, "UDP length", index);
        return new Frame(micros, d, version, src, dst, protocol, u16(d, l4), u16(d, l4 + 2), -1, -1, -1, l4 + 8,
            l4Length - 8);
    }

    private static void check(final boolean ok, final String what, final int index)
    {
        if (!ok)
        {
            throw new AssertionError("frame " + index + ": bad " + what);
        }
    }

    private static long sum(final byte[] d, final int offset, final int length, final long initial)
    {
        long acc = initial;
        for (int i = 0; i < length; i += 2)
        {
            acc += (d[offset + i] & 0xff) << 8 | (i + 1 < length ? d[offset + i + 1] & 0xff : 0);
        }
        return acc;
    }

    private static int fold(final long acc)
    {
        long x = acc;
        while ((x >>> 16) != 0)
        {
            x = (x & 0xffff) + (x >>> 16);
        }
        return (int)(~x & 0xffff);
    }

    private static int u16(final byte[] d, final int offset)
    {
        return (d[offset] & 0xff) << 8 | (d[offset + 1] & 0xff);
    }

    private static long u32(final byte[] d, final int offset)
    {
        return ((long)u16(d, offset) << 16) | u16(d, offset + 2);
    }
}
