package org.egress25.synth;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Lays out Ethernet / IPv4 or IPv6 / TCP or UDP frames into a caller's buffer, with every checksum right, so
 * tcpdump and tshark read the capture without a single "bad checksum" or "malformed" mark.
 *
 * <pre>
 *  0             14                  34 (IPv4) / 54 (IPv6)
 *  | dst | src | type | IP header      | TCP header (20, or 24 with MSS on SYNs) | payload
 *
 *  TCP checksum = ~(pseudo header (src, dst, 0, proto, tcp length) + header + payload), 16-bit one's complement
 * </pre>
 */
final class Frames
{
    static final int ETHERNET_LENGTH = 14;
    static final int IPV4_LENGTH = 20;
    static final int IPV6_LENGTH = 40;
    static final int TCP_LENGTH = 20;
    static final int UDP_LENGTH = 8;
    static final int MSS_OPTION_LENGTH = 4;
    /** Largest TCP payload on a 1500-byte Ethernet MTU path with 12 bytes of timestamps left out: 1460. */
    static final int MSS = 1460;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;
    static final int MAX_FRAME = ETHERNET_LENGTH + IPV6_LENGTH + TCP_LENGTH + MSS_OPTION_LENGTH + MSS;

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Frames()
    {
    }

    /**
     * Writes a TCP segment and returns the frame length.
     *
     * @param mss when positive, an MSS option is appended (SYN and SYN-ACK only)
     */
    static int tcp(
        final byte[] out, final Node src, final Node dst, final int srcPort, final int dstPort,
        final long seq, final long ack, final int flags, final int window, final int mss,
        final byte[] payload, final int payloadOffset, final int payloadLength)
    {
        final int tcpHeader = TCP_LENGTH + (mss > 0 ? MSS_OPTION_LENGTH : 0);
        final int l4Length = tcpHeader + payloadLength;
        final int l4 = ip(out, src, dst, PROTO_TCP, l4Length, srcPort, dstPort);
        putShort(out, l4, srcPort);
        putShort(out, l4 + 2, dstPort);
        putInt(out, l4 + 4, (int)seq);
        putInt(out, l4 + 8, (int)ack);
        out[l4 + 12] = (byte)((tcpHeader / 4) << 4);
        out[l4 + 13] = (byte)flags;
        putShort(out, l4 + 14, window);
        putShort(out, l4 + 16, 0);
        putShort(out, l4 + 18, 0);
        if (mss > 0)
        {
            out[l4 + 20] = 2;
            out[l4 + 21] = 4;
            putShort(out, l4 + 22, mss);
        }
        if (payloadLength > 0)
        {
            System.arraycopy(payload, payloadOffset, out, l4 + tcpHeader, payloadLength);
        }
        putShort(out, l4 + 16, transportChecksum(out, src, dst, PROTO_TCP, l4, l4Length));
        return l4 + l4Length;
    }

    /** Writes a UDP datagram and returns the frame length. */
    static int udp(
        final byte[] out, final Node src, final Node dst, final int srcPort, final int dstPort,
        final byte[] payload, final int payloadOffset, final int payloadLength)
    {
        final int l4Length = UDP_LENGTH + payloadLength;
        final int l4 = ip(out, src, dst, PROTO_UDP, l4Length, srcPort, dstPort);
        putShort(out, l4, srcPort);
        putShort(out, l4 + 2, dstPort);
        putShort(out, l4 + 4, l4Length);
        putShort(out, l4 + 6, 0);
        System.arraycopy(payload, payloadOffset, out, l4 + UDP_LENGTH, payloadLength);
        final int checksum = transportChecksum(out, src, dst, PROTO_UDP, l4, l4Length);
        putShort(out, l4 + 6, checksum == 0 ? 0xffff : checksum);
        return l4 + l4Length;
    }

    /**
     * Ethernet and IP headers; returns the offset of the transport header. An IPv6 flow label stays the same
     * for a flow, as Linux derives it from the flow's ports (RFC 6437); IPv4 gets the host's next IP ID.
     */
    private static int ip(final byte[] out, final Node src, final Node dst, final int protocol, final int l4Length,
        final int srcPort, final int dstPort)
    {
        System.arraycopy(dst.mac, 0, out, 0, 6);
        System.arraycopy(src.mac, 0, out, 6, 6);
        if (src.isIpv6())
        {
            putShort(out, 12, 0x86dd);
            final int ip = ETHERNET_LENGTH;
            final int flowLabel = (srcPort * 0x9e37 ^ dstPort * 0x7f4b ^ src.address[15] * 0x2f) & 0xfffff;
            putInt(out, ip, 0x6000_0000 | flowLabel);
            putShort(out, ip + 4, l4Length);
            out[ip + 6] = (byte)protocol;
            out[ip + 7] = (byte)(src.mac == Node.GATEWAY_MAC ? 52 : 64);
            System.arraycopy(src.address, 0, out, ip + 8, 16);
            System.arraycopy(dst.address, 0, out, ip + 24, 16);
            return ip + IPV6_LENGTH;
        }
        putShort(out, 12, 0x0800);
        final int ip = ETHERNET_LENGTH;
        out[ip] = 0x45;
        out[ip + 1] = 0;
        putShort(out, ip + 2, IPV4_LENGTH + l4Length);
        putShort(out, ip + 4, src.ipId++);
        putShort(out, ip + 6, 0x4000);
        out[ip + 8] = (byte)(src.mac == Node.GATEWAY_MAC ? 52 : 64);
        out[ip + 9] = (byte)protocol;
        putShort(out, ip + 10, 0);
        System.arraycopy(src.address, 0, out, ip + 12, 4);
        System.arraycopy(dst.address, 0, out, ip + 16, 4);
        putShort(out, ip + 10, fold(sum(out, ip, IPV4_LENGTH, 0)));
        return ip + IPV4_LENGTH;
    }

    private static int transportChecksum(
        final byte[] out, final Node src, final Node dst, final int protocol, final int l4, final int l4Length)
    {
        long acc = sum(src.address, 0, src.address.length, 0);
        acc = sum(dst.address, 0, dst.address.length, acc);
        acc += protocol + l4Length;
        return fold(sum(out, l4, l4Length, acc));
    }

    /**
     * One's complement sum of big-endian 16-bit words, an odd last byte padded with zero, not yet folded.
     * Adds 32-bit halves of 64-bit big-endian reads (the sum is the same mod 0xffff once folded), which makes
     * checksumming a 1,500-byte frame about four times cheaper than a byte loop; the long cannot overflow
     * for any frame (2^33 per step, 200 steps).
     */
    static long sum(final byte[] data, final int offset, final int length, final long initial)
    {
        long acc = initial;
        final int end = offset + length;
        int i = offset;
        for (; i + 7 < end; i += 8)
        {
            final long word = (long)LONG_BE.get(data, i);
            acc += (word >>> 32) + (word & 0xffff_ffffL);
        }
        for (; i + 3 < end; i += 4)
        {
            acc += ((data[i] & 0xffL) << 24 | (data[i + 1] & 0xff) << 16 | (data[i + 2] & 0xff) << 8 | (data[i + 3] & 0xff));
        }
        for (; i + 1 < end; i += 2)
        {
            acc += (data[i] & 0xff) << 8 | (data[i + 1] & 0xff);
        }
        if (i < end)
        {
            acc += (data[i] & 0xff) << 8;
        }
        return acc;
    }

    /** Folds the carries back in and complements: the value that goes in the header. */
    static int fold(final long acc)
    {
        long x = acc;
        while ((x >>> 16) != 0)
        {
            x = (x & 0xffff) + (x >>> 16);
        }
        return (int)(~x & 0xffff);
    }

    static void putShort(final byte[] out, final int offset, final int value)
    {
        out[offset] = (byte)(value >>> 8);
        out[offset + 1] = (byte)value;
    }

    static void putInt(final byte[] out, final int offset, final int value)
    {
        out[offset] = (byte)(value >>> 24);
        out[offset + 1] = (byte)(value >>> 16);
        out[offset + 2] = (byte)(value >>> 8);
        out[offset + 3] = (byte)value;
    }
}
