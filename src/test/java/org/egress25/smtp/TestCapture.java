package org.egress25.smtp;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.egress25.analysis.Analyser;
import org.egress25.decode.DecodeStatus;
import org.egress25.pipeline.PacketEvent;
import org.egress25.policy.BlockLadder;
import org.egress25.policy.Cidr;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.SmtpRules;
import org.egress25.policy.SprtRules;

/**
 * Test-only replay: a minimal pcap/pcapng(.gz) reader and Ethernet/NULL/raw/SLL + IPv4/IPv6 + TCP decoder
 * that fills a {@link PacketEvent} the way the pipeline will, then sets the direction with the policy.
 * It exists so the SMTP analyser can be tested on the shared captures before the real capture and decode
 * stages are merged; it is deliberately small and skips what those captures do not need (IP options are
 * skipped by header length, IPv6 extension headers are not walked).
 */
final class TestCapture
{
    static final Path CAPTURES = Path.of("/work/shared/data/smtp-captures");

    private TestCapture()
    {
    }

    /** Every address inside, detect-then-block, default SMTP rules, SMTP ports 25, 465, 587 and 2525. */
    static Policy policy()
    {
        return policy(SmtpRules.defaults());
    }

    static Policy policy(final SmtpRules rules)
    {
        final HostClass all = new HostClass("everyone", Port25Mode.DETECT_THEN_BLOCK,
            List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")), List.of());
        return new Policy(List.of(all), List.of(), new int[] {25, 465, 587, 2525}, Duration.ofSeconds(30),
            new BlockLadder(List.of(Duration.ofMinutes(10), Duration.ofHours(1)), Duration.ofDays(1)), "none",
            rules, SprtRules.defaults(), "test", "test");
    }

    /** Replays a capture file through the analyser, ticking after each packet and ending at the last one. */
    static int replay(final Path file, final Policy policy, final Analyser analyser) throws IOException
    {
        final PacketEvent e = PacketEvent.factory(PacketEvent.MAX_FRAME).newInstance();
        int packets = 0;
        long last = 0;
        try (InputStream raw = open(file))
        {
            final Reader reader = new Reader(new DataInputStream(raw));
            while (reader.next(e))
            {
                packets++;
                decode(e, policy);
                analyser.onSegment(e);
                analyser.onTick(e.timestampNanos);
                last = e.timestampNanos;
            }
        }
        analyser.onEnd(last);
        return packets;
    }

    private static InputStream open(final Path file) throws IOException
    {
        final InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        final int b0 = in.read();
        final int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in)) : in;
    }

    /** Reads classic pcap (micro or nano, either byte order) and pcapng (SHB, IDB, EPB, SPB). */
    private static final class Reader
    {
        private final DataInputStream in;
        private ByteOrder order;
        private boolean pcapng;
        private boolean nanos;
        private int linkType;
        private final int[] ifLink = new int[16];
        private final long[] ifUnitsPerSecond = new long[16];
        private int interfaces;

        Reader(final DataInputStream in) throws IOException
        {
            this.in = in;
            final byte[] magic = in.readNBytes(4);
            final int be = ByteBuffer.wrap(magic).getInt();
            if (be == 0x0a0d0d0a)
            {
                pcapng = true;
                final byte[] lengthAndMagic = in.readNBytes(8);
                order = ByteBuffer.wrap(lengthAndMagic, 4, 4).order(ByteOrder.BIG_ENDIAN).getInt() == 0x1a2b3c4d
                    ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                in.readNBytes(ByteBuffer.wrap(lengthAndMagic).order(order).getInt(0) - 12);
                return;
            }
            switch (be)
            {
                case 0xa1b2c3d4 -> order = ByteOrder.BIG_ENDIAN;
                case 0xd4c3b2a1 -> order = ByteOrder.LITTLE_ENDIAN;
                case 0xa1b23c4d -> { order = ByteOrder.BIG_ENDIAN; nanos = true; }
                case 0x4d3cb2a1 -> { order = ByteOrder.LITTLE_ENDIAN; nanos = true; }
                default -> throw new IOException("not a capture file (magic " + Integer.toHexString(be) + ")");
            }
            final ByteBuffer header = ByteBuffer.wrap(in.readNBytes(20)).order(order);
            linkType = header.getInt(16) & 0xffff;
        }

        boolean next(final PacketEvent e) throws IOException
        {
            return pcapng ? nextBlock(e) : nextRecord(e);
        }

        private boolean nextRecord(final PacketEvent e) throws IOException
        {
            final byte[] head = in.readNBytes(16);
            if (head.length < 16)
            {
                return false;
            }
            final ByteBuffer h = ByteBuffer.wrap(head).order(order);
            final long seconds = h.getInt(0) & 0xffff_ffffL;
            final long fraction = h.getInt(4) & 0xffff_ffffL;
            final int caplen = h.getInt(8);
            fill(e, in.readNBytes(caplen), 0, caplen, h.getInt(12), linkType,
                seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000));
            return true;
        }

        private boolean nextBlock(final PacketEvent e) throws IOException
        {
            while (true)
            {
                final byte[] head = in.readNBytes(8);
                if (head.length < 8)
                {
                    return false;
                }
                final ByteBuffer h = ByteBuffer.wrap(head).order(order);
                final int type = h.getInt(0);
                final int length = h.getInt(4);
                final byte[] body = in.readNBytes(length - 8);
                if (body.length < length - 8)
                {
                    throw new EOFException("truncated pcapng block");
                }
                final ByteBuffer b = ByteBuffer.wrap(body).order(order);
                if (type == 1 && interfaces < ifLink.length)
                {
                    ifLink[interfaces] = b.getShort(0) & 0xffff;
                    ifUnitsPerSecond[interfaces] = tsResolution(b, body.length - 4);
                    interfaces++;
                }
                else if (type == 6)
                {
                    final int iface = b.getInt(0);
                    final long ts = ((b.getInt(4) & 0xffff_ffffL) << 32) | (b.getInt(8) & 0xffff_ffffL);
                    final int caplen = b.getInt(12);
                    final long units = ifUnitsPerSecond[iface];
                    final long nanosTs = units == 1_000_000_000L ? ts
                        : (ts / units) * 1_000_000_000L + (ts % units) * 1_000_000_000L / units;
                    fill(e, body, 20, caplen, b.getInt(16), ifLink[iface], nanosTs);
                    return true;
                }
                else if (type == 3)
                {
                    final int caplen = body.length - 8;
                    fill(e, body, 4, caplen, b.getInt(0), ifLink[0], 0);
                    return true;
                }
            }
        }

        /** if_tsresol option (code 9) or the default of microseconds. */
        private static long tsResolution(final ByteBuffer b, final int end)
        {
            int at = 8;
            while (at + 4 <= end)
            {
                final int code = b.getShort(at) & 0xffff;
                final int len = b.getShort(at + 2) & 0xffff;
                if (code == 0)
                {
                    break;
                }
                if (code == 9 && len >= 1)
                {
                    final int v = b.get(at + 4) & 0xff;
                    long units = 1;
                    for (int i = 0; i < (v & 0x7f); i++)
                    {
                        units *= (v & 0x80) != 0 ? 2 : 10;
                    }
                    return units;
                }
                at += 4 + ((len + 3) & ~3);
            }
            return 1_000_000L;
        }
    }

    private static void fill(final PacketEvent e, final byte[] data, final int offset, final int caplen,
        final int wireLength, final int linkType, final long nanos)
    {
        final int n = Math.min(caplen, e.frame.length);
        System.arraycopy(data, offset, e.frame, 0, n);
        e.kind = PacketEvent.KIND_PACKET;
        e.captureLength = n;
        e.wireLength = wireLength;
        e.linkType = linkType;
        e.timestampNanos = nanos;
    }

    /** Decodes the frame in place and sets direction and host class the way the pipeline's direction stage does. */
    static void decode(final PacketEvent e, final Policy policy)
    {
        e.clearDecoded();
        e.status = DecodeStatus.NOT_TCP;
        final byte[] f = e.frame;
        final int len = e.captureLength;
        int ip;
        int etherType;
        switch (e.linkType)
        {
            case 0, 108 -> {
                if (len < 4)
                {
                    return;
                }
                final int family = e.linkType == 0 ? (f[0] & 0xff) | (f[3] & 0xff) : f[3] & 0xff;
                etherType = family == 2 ? 0x0800 : 0x86dd;
                ip = 4;
            }
            case 1 -> {
                ip = 14;
                if (len < ip)
                {
                    return;
                }
                etherType = u16(f, 12);
                while ((etherType == 0x8100 || etherType == 0x88a8) && len >= ip + 4)
                {
                    etherType = u16(f, ip + 2);
                    ip += 4;
                }
            }
            case 101, 12, 14 -> {
                ip = 0;
                etherType = len > 0 && (f[0] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
            }
            case 113 -> {
                ip = 16;
                if (len < ip)
                {
                    return;
                }
                etherType = u16(f, 14);
            }
            default -> {
                e.status = DecodeStatus.UNSUPPORTED_LINK;
                return;
            }
        }
        int tcp;
        int ipEnd;
        if (etherType == 0x0800)
        {
            if (len < ip + 20 || (f[ip] & 0xf0) != 0x40 || f[ip + 9] != 6 || (u16(f, ip + 6) & 0x1fff) != 0)
            {
                return;
            }
            e.ipVersion = 4;
            e.srcLo = PacketEvent.IPV4_MAPPED_PREFIX | (u32(f, ip + 12));
            e.dstLo = PacketEvent.IPV4_MAPPED_PREFIX | (u32(f, ip + 16));
            tcp = ip + (f[ip] & 0x0f) * 4;
            // Segmentation offload leaves the total length 0 in captures taken on the sending host.
            ipEnd = u16(f, ip + 2) == 0 ? len : ip + u16(f, ip + 2);
        }
        else if (etherType == 0x86dd)
        {
            if (len < ip + 40 || f[ip + 6] != 6)
            {
                return;
            }
            e.ipVersion = 6;
            e.srcHi = u64(f, ip + 8);
            e.srcLo = u64(f, ip + 16);
            e.dstHi = u64(f, ip + 24);
            e.dstLo = u64(f, ip + 32);
            tcp = ip + 40;
            ipEnd = tcp + u16(f, ip + 4);
        }
        else
        {
            return;
        }
        if (len < tcp + 20)
        {
            e.status = DecodeStatus.TRUNCATED_TCP;
            return;
        }
        e.srcPort = u16(f, tcp);
        e.dstPort = u16(f, tcp + 2);
        e.tcpSeq = u32(f, tcp + 4);
        e.tcpAck = u32(f, tcp + 8);
        final int dataOffset = ((f[tcp + 12] & 0xf0) >> 4) * 4;
        e.tcpFlags = f[tcp + 13] & 0xff;
        e.tcpWindow = u16(f, tcp + 14);
        if (dataOffset < 20 || tcp + dataOffset > len)
        {
            e.status = DecodeStatus.BAD_TCP_DATA_OFFSET;
            return;
        }
        e.payloadOffset = tcp + dataOffset;
        e.payloadWireLength = Math.max(0, ipEnd - e.payloadOffset);
        e.payloadLength = Math.max(0, Math.min(ipEnd, len) - e.payloadOffset);
        e.status = DecodeStatus.OK;
        direct(e, policy);
    }

    /** The direction stage: client to an SMTP port is outbound when the client is inside. */
    static void direct(final PacketEvent e, final Policy policy)
    {
        if (policy.isSmtpPort(e.dstPort) && policy.classify(e.srcHi, e.srcLo) != null)
        {
            e.direction = PacketEvent.DIR_OUTBOUND;
            e.hostClass = policy.classify(e.srcHi, e.srcLo);
        }
        else if (policy.isSmtpPort(e.srcPort) && policy.classify(e.dstHi, e.dstLo) != null)
        {
            e.direction = PacketEvent.DIR_INBOUND;
            e.hostClass = policy.classify(e.dstHi, e.dstLo);
        }
    }

    private static int u16(final byte[] f, final int at)
    {
        return ((f[at] & 0xff) << 8) | (f[at + 1] & 0xff);
    }

    private static long u32(final byte[] f, final int at)
    {
        return ((long)u16(f, at) << 16) | u16(f, at + 2);
    }

    private static long u64(final byte[] f, final int at)
    {
        return (u32(f, at) << 32) | u32(f, at + 4);
    }
}
