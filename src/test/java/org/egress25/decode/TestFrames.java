package org.egress25.decode;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.egress25.event.PacketEvent;

/**
 * Hand-built frames for tests: each method returns one layer wrapped around the bytes given to it, with length
 * fields filled in as a well-behaved stack would, so a test can then break exactly one thing.
 */
public final class TestFrames
{
    public static final int SEQ = 0xf000_0001;
    public static final int ACK = 0x8000_0002;
    public static final int WINDOW = 0xfedc;

    private TestFrames()
    {
    }

    public static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final byte[] out = new byte[length];
        int at = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    public static byte[] ascii(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** TCP header with {@link #SEQ}, {@link #ACK}, {@link #WINDOW}, {@code optionBytes} of NOPs, then the payload. */
    public static byte[] tcp(final int srcPort, final int dstPort, final int flags, final int optionBytes, final byte[] payload)
    {
        final int headerLength = 20 + optionBytes;
        final byte[] b = new byte[headerLength + payload.length];
        put16(b, 0, srcPort);
        put16(b, 2, dstPort);
        put32(b, 4, SEQ);
        put32(b, 8, ACK);
        b[12] = (byte)((headerLength / 4) << 4);
        b[13] = (byte)flags;
        put16(b, 14, WINDOW);
        for (int i = 20; i < headerLength; i++)
        {
            b[i] = 1;
        }
        System.arraycopy(payload, 0, b, headerLength, payload.length);
        return b;
    }

    public static byte[] tcp(final int srcPort, final int dstPort, final byte[] payload)
    {
        return tcp(srcPort, dstPort, PacketEvent.TCP_ACK | PacketEvent.TCP_PSH, 0, payload);
    }

    /** IPv4 datagram with a correct total length and {@code optionBytes} (a multiple of 4) of options. */
    public static byte[] ipv4(final int protocol, final String src, final String dst, final int optionBytes, final byte[] body)
    {
        final int headerLength = 20 + optionBytes;
        final byte[] b = new byte[headerLength + body.length];
        b[0] = (byte)(0x40 | (headerLength / 4));
        put16(b, 2, b.length);
        put16(b, 4, 0x1234);
        b[8] = 64;
        b[9] = (byte)protocol;
        System.arraycopy(address(src, 4), 0, b, 12, 4);
        System.arraycopy(address(dst, 4), 0, b, 16, 4);
        for (int i = 20; i < headerLength; i++)
        {
            b[i] = 1;
        }
        System.arraycopy(body, 0, b, headerLength, body.length);
        return b;
    }

    public static byte[] ipv4(final String src, final String dst, final byte[] tcp)
    {
        return ipv4(6, src, dst, 0, tcp);
    }

    /** IPv6 packet with a correct payload length; {@code body} may start with extension headers. */
    public static byte[] ipv6(final int nextHeader, final String src, final String dst, final byte[] body)
    {
        final byte[] b = new byte[40 + body.length];
        b[0] = 0x60;
        put16(b, 4, body.length);
        b[6] = (byte)nextHeader;
        b[7] = 64;
        System.arraycopy(address(src, 16), 0, b, 8, 16);
        System.arraycopy(address(dst, 16), 0, b, 24, 16);
        System.arraycopy(body, 0, b, 40, body.length);
        return b;
    }

    public static byte[] ipv6(final String src, final String dst, final byte[] tcp)
    {
        return ipv6(6, src, dst, tcp);
    }

    /** An IPv6 extension header of the 8-byte-unit kind (hop-by-hop, routing, destination options, mobility). */
    public static byte[] extension(final int nextHeader, final int lengthBytes)
    {
        final byte[] b = new byte[lengthBytes];
        b[0] = (byte)nextHeader;
        b[1] = (byte)(lengthBytes / 8 - 1);
        return b;
    }

    /** An authentication header, whose length field counts 4-byte units minus two. */
    public static byte[] authenticationHeader(final int nextHeader, final int lengthBytes)
    {
        final byte[] b = new byte[lengthBytes];
        b[0] = (byte)nextHeader;
        b[1] = (byte)(lengthBytes / 4 - 2);
        return b;
    }

    public static byte[] fragmentHeader(final int nextHeader, final int offsetUnits, final boolean more)
    {
        final byte[] b = new byte[8];
        b[0] = (byte)nextHeader;
        put16(b, 2, (offsetUnits << 3) | (more ? 1 : 0));
        put32(b, 4, 0x0bad_cafe);
        return b;
    }

    public static byte[] ethernet(final int etherType, final byte[] body)
    {
        final byte[] header = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0, 0};
        put16(header, 12, etherType);
        return concat(header, body);
    }

    /** Ethernet with the given tag types stacked outermost first, then {@code etherType}. */
    public static byte[] ethernetTagged(final int[] tagTypes, final int etherType, final byte[] body)
    {
        if (tagTypes.length == 0)
        {
            return ethernet(etherType, body);
        }
        byte[] inner = body;
        int type = etherType;
        for (int i = tagTypes.length - 1; i >= 0; i--)
        {
            final byte[] tag = new byte[4];
            put16(tag, 0, 100 + i);
            put16(tag, 2, type);
            inner = concat(tag, inner);
            type = tagTypes[i];
        }
        return ethernet(type, inner);
    }

    public static byte[] sll(final int protocol, final byte[] body)
    {
        final byte[] header = new byte[16];
        put16(header, 0, 4);
        put16(header, 2, 1);
        put16(header, 4, 6);
        header[6] = 0x02;
        put16(header, 14, protocol);
        return concat(header, body);
    }

    public static byte[] sll2(final int protocol, final byte[] body)
    {
        final byte[] header = new byte[20];
        put16(header, 0, protocol);
        put32(header, 4, 3);
        put16(header, 8, 1);
        header[10] = 4;
        header[11] = 6;
        header[12] = 0x02;
        return concat(header, body);
    }

    public static byte[] loopback(final int family, final boolean bigEndian, final byte[] body)
    {
        final byte[] header = new byte[4];
        if (bigEndian)
        {
            put32(header, 0, family);
        }
        else
        {
            header[0] = (byte)family;
            header[1] = (byte)(family >>> 8);
        }
        return concat(header, body);
    }

    /** A fresh event holding {@code frame} as captured with the given link type. */
    public static PacketEvent event(final int linkType, final byte[] frame)
    {
        final PacketEvent e = PacketEvent.factory(Math.max(frame.length, 64)).newInstance();
        load(e, linkType, frame, frame.length);
        return e;
    }

    public static void load(final PacketEvent e, final int linkType, final byte[] frame, final int captureLength)
    {
        System.arraycopy(frame, 0, e.frame, 0, captureLength);
        e.kind = PacketEvent.KIND_PACKET;
        e.linkType = linkType;
        e.captureLength = captureLength;
        e.wireLength = frame.length;
    }

    public static void put16(final byte[] b, final int at, final int value)
    {
        b[at] = (byte)(value >>> 8);
        b[at + 1] = (byte)value;
    }

    public static void put32(final byte[] b, final int at, final int value)
    {
        put16(b, at, value >>> 16);
        put16(b, at + 2, value);
    }

    private static byte[] address(final String text, final int size)
    {
        try
        {
            final byte[] raw = InetAddress.getByName(text).getAddress();
            if (raw.length != size)
            {
                throw new IllegalArgumentException(text + " is not a " + size + "-byte address");
            }
            return raw;
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(text, ex);
        }
    }
}
