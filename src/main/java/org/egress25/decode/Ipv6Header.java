package org.egress25.decode;

import org.egress25.event.PacketEvent;

/**
 * IPv6 header (RFC 8200 section 3) and the extension-header chain in front of TCP.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |              Flow Label               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Source Address (16 bytes)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Destination Address (16 bytes)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Extension headers that may sit between it and TCP:
 *
 * <pre>
 * hop-by-hop (0), routing (43), destination options (60), mobility (135): length in 8-byte units, not counting the first
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |  ... (Hdr Ext Len + 1) * 8 bytes in all
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * fragment (44): always 8 bytes
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |     Fragment Offset     |Res|M|
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * authentication header (51, RFC 4302): length in 4-byte units, not counting the first two
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Payload Len  |  ... (Payload Len + 2) * 4 bytes in all
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>ESP (50) encrypts whatever follows and "no next header" (59) ends the packet: both are not ours. The chain
 * is capped at {@link #MAX_EXTENSION_HEADERS}: RFC 8200 section 4.1
 * (https://www.rfc-editor.org/rfc/rfc8200#section-4.1) lists at most seven kinds in a real packet, and a longer
 * chain is a known way to hide the transport header from middleboxes (RFC 7112). A payload length of 0
 * announces a jumbogram (RFC 2675), which no Ethernet egress carries, so it is rejected.
 */
final class Ipv6Header
{
    static final int VERSION_CLASS_FLOW_OFFSET = 0;
    static final int VERSION_CLASS_FLOW_SIZE = 4;
    static final int PAYLOAD_LENGTH_OFFSET = VERSION_CLASS_FLOW_OFFSET + VERSION_CLASS_FLOW_SIZE;
    static final int PAYLOAD_LENGTH_SIZE = 2;
    static final int NEXT_HEADER_OFFSET = PAYLOAD_LENGTH_OFFSET + PAYLOAD_LENGTH_SIZE;
    static final int NEXT_HEADER_SIZE = 1;
    static final int HOP_LIMIT_OFFSET = NEXT_HEADER_OFFSET + NEXT_HEADER_SIZE;
    static final int HOP_LIMIT_SIZE = 1;
    static final int SRC_ADDRESS_OFFSET = HOP_LIMIT_OFFSET + HOP_LIMIT_SIZE;
    static final int ADDRESS_SIZE = 16;
    static final int DST_ADDRESS_OFFSET = SRC_ADDRESS_OFFSET + ADDRESS_SIZE;
    static final int HEADER_LENGTH = DST_ADDRESS_OFFSET + ADDRESS_SIZE;

    static final int VERSION = 6;

    /** Offsets inside every extension header. */
    static final int EXT_NEXT_HEADER_OFFSET = 0;
    static final int EXT_LENGTH_OFFSET = EXT_NEXT_HEADER_OFFSET + 1;
    static final int EXT_MIN_LENGTH = 8;
    static final int FRAGMENT_OFFSET_OFFSET = EXT_LENGTH_OFFSET + 1;
    static final int FRAGMENT_HEADER_LENGTH = 8;
    /** Fragment offset is the top 13 bits of its 16-bit word. */
    static final int FRAGMENT_OFFSET_SHIFT = 3;
    static final int AH_LENGTH_UNIT = 4;
    static final int AH_LENGTH_BIAS = 2;

    static final int HOP_BY_HOP = 0;
    static final int ROUTING = 43;
    static final int FRAGMENT = 44;
    static final int ESP = 50;
    static final int AUTHENTICATION = 51;
    static final int NO_NEXT_HEADER = 59;
    static final int DESTINATION_OPTIONS = 60;
    static final int MOBILITY = 135;

    static final int MAX_EXTENSION_HEADERS = 8;

    private Ipv6Header()
    {
    }

    /** Decodes the IPv6 packet at {@code start}, walks its extension headers and, when it is TCP, its TCP header. */
    static int decode(final PacketEvent e, final byte[] f, final int start, final int limit)
    {
        final int captured = limit - start;
        if (captured < 1)
        {
            return DecodeStatus.TRUNCATED_IP;
        }
        if (Bytes.u8(f, start) >>> 4 != VERSION)
        {
            return DecodeStatus.BAD_IP_VERSION;
        }
        if (captured < HEADER_LENGTH)
        {
            return DecodeStatus.TRUNCATED_IP;
        }
        final int payloadLength = Bytes.u16(f, start + PAYLOAD_LENGTH_OFFSET);
        if (payloadLength == 0)
        {
            return DecodeStatus.BAD_IP_TOTAL_LENGTH;
        }
        e.ipVersion = VERSION;
        e.srcHi = Bytes.u64(f, start + SRC_ADDRESS_OFFSET);
        e.srcLo = Bytes.u64(f, start + SRC_ADDRESS_OFFSET + 8);
        e.dstHi = Bytes.u64(f, start + DST_ADDRESS_OFFSET);
        e.dstLo = Bytes.u64(f, start + DST_ADDRESS_OFFSET + 8);

        final int wireEnd = start + HEADER_LENGTH + payloadLength;
        final int capturedEnd = Math.min(wireEnd, limit);
        int nextHeader = Bytes.u8(f, start + NEXT_HEADER_OFFSET);
        int at = start + HEADER_LENGTH;
        for (int headers = 0; nextHeader != TcpHeader.PROTOCOL_NUMBER; headers++)
        {
            if (headers == MAX_EXTENSION_HEADERS)
            {
                return DecodeStatus.TOO_MANY_HEADERS;
            }
            final int length;
            switch (nextHeader)
            {
                case HOP_BY_HOP:
                case ROUTING:
                case DESTINATION_OPTIONS:
                case MOBILITY:
                    if (capturedEnd - at < EXT_MIN_LENGTH)
                    {
                        return DecodeStatus.TRUNCATED_IPV6_EXTENSION;
                    }
                    length = (Bytes.u8(f, at + EXT_LENGTH_OFFSET) + 1) * EXT_MIN_LENGTH;
                    break;
                case AUTHENTICATION:
                    if (capturedEnd - at < EXT_MIN_LENGTH)
                    {
                        return DecodeStatus.TRUNCATED_IPV6_EXTENSION;
                    }
                    length = (Bytes.u8(f, at + EXT_LENGTH_OFFSET) + AH_LENGTH_BIAS) * AH_LENGTH_UNIT;
                    break;
                case FRAGMENT:
                    if (capturedEnd - at < FRAGMENT_HEADER_LENGTH)
                    {
                        return DecodeStatus.TRUNCATED_IPV6_EXTENSION;
                    }
                    if (Bytes.u16(f, at + FRAGMENT_OFFSET_OFFSET) >>> FRAGMENT_OFFSET_SHIFT != 0)
                    {
                        return DecodeStatus.FRAGMENT;
                    }
                    length = FRAGMENT_HEADER_LENGTH;
                    break;
                case ESP:
                case NO_NEXT_HEADER:
                default:
                    // encrypted, empty, UDP, ICMPv6 or unknown: no TCP header we can reach
                    return DecodeStatus.NOT_TCP;
            }
            if (capturedEnd - at < length)
            {
                return DecodeStatus.TRUNCATED_IPV6_EXTENSION;
            }
            nextHeader = Bytes.u8(f, at + EXT_NEXT_HEADER_OFFSET);
            at += length;
        }
        return TcpHeader.decode(e, f, at, capturedEnd, wireEnd);
    }
}
