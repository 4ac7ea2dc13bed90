package org.egress25.decode;

import org.egress25.event.PacketEvent;

/**
 * Decodes a captured frame in place: link layer, IPv4 or IPv6 (with its extension headers), then TCP.
 *
 * <p>Runs on the ring's consumer thread for every packet, so it allocates nothing, keeps no state and never
 * throws: every layer checks that the bytes it is about to read were captured, and a frame that fails a check
 * leaves its reason in {@link PacketEvent#status} (a {@link DecodeStatus} code, one metric label each) instead.
 * Even a {@link PacketEvent#captureLength} larger than the frame buffer is clamped rather than trusted.
 *
 * <p>Link layers, by pcap link type:
 *
 * <pre>
 * Ethernet II (1), optionally with stacked 802.1Q / 802.1ad tags
 * +--------+--------+------+ +------+------+     +------+------+
 * | dst(6) | src(6) | type | | TCI  | type | ... | TCI  | type | IP ...
 * +--------+--------+------+ +------+------+     +------+------+
 *  0        6        12       14     16            type 0x8100, 0x88a8 or 0x9100 announces another tag
 *
 * Linux cooked v1 (113), 16 bytes
 * +-------+-------+-------+--------------------+----------+
 * | ptype | ARPHRD| alen  | link address (8)   | protocol | IP ...
 * +-------+-------+-------+--------------------+----------+
 *  0       2       4       6                    14         16
 *
 * Linux cooked v2 (276), 20 bytes
 * +----------+-------+---------+-------+-----+----+--------------------+
 * | protocol | rsvd  | ifindex | ARPHRD|ptype|alen| link address (8)   | IP ...
 * +----------+-------+---------+-------+-----+----+--------------------+
 *  0          2       4         8       10    11   12                   20
 *
 * BSD loopback NULL (0) and OpenBSD LOOP (108), 4 bytes
 * +-------------------------------+
 * | address family (32 bits)      | IP ...
 * +-------------------------------+
 *   NULL: in the capturing host's byte order, which the file does not record, so both orders are accepted
 *   LOOP: network order
 *   AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (macOS)
 *
 * Raw IP (101, 12, 14, 228, 229): no link header, the IP version nibble decides
 * </pre>
 */
public final class FrameDecoder
{
    static final int MAC_SIZE = 6;
    static final int ETHER_TYPE_SIZE = 2;
    static final int ETHERNET_DST_OFFSET = 0;
    static final int ETHERNET_SRC_OFFSET = ETHERNET_DST_OFFSET + MAC_SIZE;
    static final int ETHERNET_TYPE_OFFSET = ETHERNET_SRC_OFFSET + MAC_SIZE;
    static final int ETHERNET_HEADER_LENGTH = ETHERNET_TYPE_OFFSET + ETHER_TYPE_SIZE;

    /** A tag is its TCI followed by the type it wraps; it sits right after the type field that announced it. */
    static final int VLAN_TCI_SIZE = 2;
    static final int VLAN_TAG_LENGTH = VLAN_TCI_SIZE + ETHER_TYPE_SIZE;
    /**
     * QinQ stacks two tags and some carrier networks three; four leaves headroom while stopping a frame of
     * nothing but tags from walking the whole buffer.
     */
    static final int MAX_VLAN_TAGS = 4;

    static final int SLL_PACKET_TYPE_OFFSET = 0;
    static final int SLL_ARPHRD_OFFSET = SLL_PACKET_TYPE_OFFSET + 2;
    static final int SLL_ADDRESS_LENGTH_OFFSET = SLL_ARPHRD_OFFSET + 2;
    static final int SLL_ADDRESS_OFFSET = SLL_ADDRESS_LENGTH_OFFSET + 2;
    static final int SLL_ADDRESS_SIZE = 8;
    static final int SLL_PROTOCOL_OFFSET = SLL_ADDRESS_OFFSET + SLL_ADDRESS_SIZE;
    static final int SLL_HEADER_LENGTH = SLL_PROTOCOL_OFFSET + ETHER_TYPE_SIZE;

    static final int SLL2_PROTOCOL_OFFSET = 0;
    static final int SLL2_RESERVED_OFFSET = SLL2_PROTOCOL_OFFSET + ETHER_TYPE_SIZE;
    static final int SLL2_IFINDEX_OFFSET = SLL2_RESERVED_OFFSET + 2;
    static final int SLL2_ARPHRD_OFFSET = SLL2_IFINDEX_OFFSET + 4;
    static final int SLL2_PACKET_TYPE_OFFSET = SLL2_ARPHRD_OFFSET + 2;
    static final int SLL2_ADDRESS_LENGTH_OFFSET = SLL2_PACKET_TYPE_OFFSET + 1;
    static final int SLL2_ADDRESS_OFFSET = SLL2_ADDRESS_LENGTH_OFFSET + 1;
    static final int SLL2_HEADER_LENGTH = SLL2_ADDRESS_OFFSET + SLL_ADDRESS_SIZE;

    static final int LOOPBACK_FAMILY_OFFSET = 0;
    static final int LOOPBACK_FAMILY_SIZE = 4;
    static final int LOOPBACK_HEADER_LENGTH = LOOPBACK_FAMILY_OFFSET + LOOPBACK_FAMILY_SIZE;

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int ETHERTYPE_VLAN = 0x8100;
    static final int ETHERTYPE_QINQ = 0x88a8;
    static final int ETHERTYPE_QINQ_LEGACY = 0x9100;

    static final int AF_INET = 2;
    static final int AF_INET6_BSD = 24;
    static final int AF_INET6_FREEBSD = 28;
    static final int AF_INET6_DARWIN = 30;

    /**
     * Decodes {@code e.frame[0..e.captureLength)} of link type {@code e.linkType} into the event's decoded
     * fields, after clearing them. Never throws and never allocates.
     */
    public void decode(final PacketEvent e)
    {
        e.clearDecoded();
        final byte[] f = e.frame;
        final int limit = Math.max(0, Math.min(e.captureLength, f.length));
        e.status = decodeLink(e, f, limit);
    }

    private static int decodeLink(final PacketEvent e, final byte[] f, final int limit)
    {
        switch (e.linkType)
        {
            case LinkType.ETHERNET:
                if (limit < ETHERNET_HEADER_LENGTH)
                {
                    return DecodeStatus.TRUNCATED_LINK;
                }
                return decodeEtherType(e, f, limit, Bytes.u16(f, ETHERNET_TYPE_OFFSET), ETHERNET_HEADER_LENGTH);
            case LinkType.LINUX_SLL:
                if (limit < SLL_HEADER_LENGTH)
                {
                    return DecodeStatus.TRUNCATED_LINK;
                }
                return decodeEtherType(e, f, limit, Bytes.u16(f, SLL_PROTOCOL_OFFSET), SLL_HEADER_LENGTH);
            case LinkType.LINUX_SLL2:
                if (limit < SLL2_HEADER_LENGTH)
                {
                    return DecodeStatus.TRUNCATED_LINK;
                }
                return decodeEtherType(e, f, limit, Bytes.u16(f, SLL2_PROTOCOL_OFFSET), SLL2_HEADER_LENGTH);
            case LinkType.NULL:
            case LinkType.LOOP:
                if (limit < LOOPBACK_HEADER_LENGTH)
                {
                    return DecodeStatus.TRUNCATED_LINK;
                }
                return decodeLoopback(e, f, limit);
            case LinkType.RAW:
            case LinkType.DLT_RAW_BSD:
            case LinkType.DLT_RAW_OPENBSD:
            case LinkType.IPV4:
            case LinkType.IPV6:
                return decodeIp(e, f, 0, limit);
            default:
                return DecodeStatus.UNSUPPORTED_LINK;
        }
    }

    /**
     * Follows VLAN tags from an EtherType (or SLL protocol) field to the network layer.
     *
     * @param type the type field just read
     * @param next offset of the byte after the link header, where a tag's TCI or the IP header starts
     */
    private static int decodeEtherType(
        final PacketEvent e, final byte[] f, final int limit, final int type, final int next)
    {
        int etherType = type;
        int at = next;
        for (int tags = 0; isVlanTag(etherType); tags++)
        {
            if (tags == MAX_VLAN_TAGS)
            {
                return DecodeStatus.TOO_MANY_HEADERS;
            }
            if (limit - at < VLAN_TAG_LENGTH)
            {
                return DecodeStatus.TRUNCATED_LINK;
            }
            etherType = Bytes.u16(f, at + VLAN_TCI_SIZE);
            at += VLAN_TAG_LENGTH;
        }
        switch (etherType)
        {
            case ETHERTYPE_IPV4:
                return Ipv4Header.decode(e, f, at, limit);
            case ETHERTYPE_IPV6:
                return Ipv6Header.decode(e, f, at, limit);
            default:
                // ARP, LLDP, 802.3 length fields, MPLS, PPPoE: not plain IP, not ours
                return DecodeStatus.NOT_TCP;
        }
    }

    private static boolean isVlanTag(final int etherType)
    {
        return etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_LEGACY;
    }

    private static int decodeLoopback(final PacketEvent e, final byte[] f, final int limit)
    {
        final long networkOrder = Bytes.u32(f, LOOPBACK_FAMILY_OFFSET);
        // families are small numbers, so the wrong order of the two reads is always >= 2^24 and never matches
        final long family = e.linkType == LinkType.NULL && networkOrder > 0xffff
            ? Bytes.u32LittleEndian(f, LOOPBACK_FAMILY_OFFSET)
            : networkOrder;
        if (family == AF_INET)
        {
            return Ipv4Header.decode(e, f, LOOPBACK_HEADER_LENGTH, limit);
        }
        if (family == AF_INET6_BSD || family == AF_INET6_FREEBSD || family == AF_INET6_DARWIN)
        {
            return Ipv6Header.decode(e, f, LOOPBACK_HEADER_LENGTH, limit);
        }
        return DecodeStatus.NOT_TCP;
    }

    private static int decodeIp(final PacketEvent e, final byte[] f, final int start, final int limit)
    {
        if (limit - start < 1)
        {
            return DecodeStatus.TRUNCATED_IP;
        }
        switch (Bytes.u8(f, start) >>> 4)
        {
            case Ipv4Header.VERSION:
                return Ipv4Header.decode(e, f, start, limit);
            case Ipv6Header.VERSION:
                return Ipv6Header.decode(e, f, start, limit);
            default:
                return DecodeStatus.BAD_IP_VERSION;
        }
    }
}
