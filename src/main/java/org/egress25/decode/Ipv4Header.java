package org.egress25.decode;

import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;

/**
 * IPv4 header (RFC 791 section 3.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|     Fragment Offset     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |        Header Checksum        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Source Address                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Destination Address                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                Options (IHL - 5 words)   ...                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Total Length, not the capture, says where the datagram ends: Ethernet pads frames to 60 bytes, so a bare
 * 40-byte SYN arrives with 6 bytes of padding that must not be counted as payload. A capture shorter than the
 * total length is snaplen truncation and still decodes; the payload's wire length then exceeds what we hold.
 * A total length of 0 is TCP segmentation offload, see {@link #TSO_TOTAL_LENGTH}.
 * A first fragment (offset 0, More Fragments set) still carries the TCP header and is decoded; later fragments
 * have none and report {@link DecodeStatus#FRAGMENT}.
 */
final class Ipv4Header
{
    static final int VERSION_IHL_OFFSET = 0;
    static final int VERSION_IHL_SIZE = 1;
    static final int TOS_OFFSET = VERSION_IHL_OFFSET + VERSION_IHL_SIZE;
    static final int TOS_SIZE = 1;
    static final int TOTAL_LENGTH_OFFSET = TOS_OFFSET + TOS_SIZE;
    static final int TOTAL_LENGTH_SIZE = 2;
    static final int IDENTIFICATION_OFFSET = TOTAL_LENGTH_OFFSET + TOTAL_LENGTH_SIZE;
    static final int IDENTIFICATION_SIZE = 2;
    static final int FLAGS_FRAGMENT_OFFSET = IDENTIFICATION_OFFSET + IDENTIFICATION_SIZE;
    static final int FLAGS_FRAGMENT_SIZE = 2;
    static final int TTL_OFFSET = FLAGS_FRAGMENT_OFFSET + FLAGS_FRAGMENT_SIZE;
    static final int TTL_SIZE = 1;
    static final int PROTOCOL_OFFSET = TTL_OFFSET + TTL_SIZE;
    static final int PROTOCOL_SIZE = 1;
    static final int CHECKSUM_OFFSET = PROTOCOL_OFFSET + PROTOCOL_SIZE;
    static final int CHECKSUM_SIZE = 2;
    static final int SRC_ADDRESS_OFFSET = CHECKSUM_OFFSET + CHECKSUM_SIZE;
    static final int ADDRESS_SIZE = 4;
    static final int DST_ADDRESS_OFFSET = SRC_ADDRESS_OFFSET + ADDRESS_SIZE;
    static final int MIN_HEADER_LENGTH = DST_ADDRESS_OFFSET + ADDRESS_SIZE;

    static final int VERSION = 4;
    /**
     * Total length of a segment captured on the sending host before TCP segmentation offload split it: the
     * NIC fills the real length in later. Windows and Linux senders both show it (a Windows sender's capture in the
     * shared SMTP set carries 19 such 4,150-byte DATA segments), so, like Wireshark, the frame's own length is
     * taken instead of calling the packet malformed.
     */
    static final int TSO_TOTAL_LENGTH = 0;
    /** Low 13 bits of the flags/fragment word: the fragment offset in 8-byte units. */
    static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    private Ipv4Header()
    {
    }

    /** Decodes the IPv4 datagram at {@code start} and, when it is TCP, its TCP header. */
    static int decode(final PacketEvent e, final byte[] f, final int start, final int limit)
    {
        final int captured = limit - start;
        if (captured < VERSION_IHL_SIZE)
        {
            return DecodeStatus.TRUNCATED_IP;
        }
        final int versionIhl = Bytes.u8(f, start + VERSION_IHL_OFFSET);
        if (versionIhl >>> 4 != VERSION)
        {
            return DecodeStatus.BAD_IP_VERSION;
        }
        if (captured < MIN_HEADER_LENGTH)
        {
            return DecodeStatus.TRUNCATED_IP;
        }
        final int headerLength = (versionIhl & 0x0f) * 4;
        if (headerLength < MIN_HEADER_LENGTH)
        {
            return DecodeStatus.BAD_IP_HEADER_LENGTH;
        }
        if (headerLength > captured)
        {
            return DecodeStatus.TRUNCATED_IP;
        }
        final int totalLength = Bytes.u16(f, start + TOTAL_LENGTH_OFFSET);
        if (totalLength < headerLength && totalLength != TSO_TOTAL_LENGTH)
        {
            return DecodeStatus.BAD_IP_TOTAL_LENGTH;
        }
        e.ipVersion = VERSION;
        e.srcLo = Addresses.IPV4_MAPPED_PREFIX | Bytes.u32(f, start + SRC_ADDRESS_OFFSET);
        e.dstLo = Addresses.IPV4_MAPPED_PREFIX | Bytes.u32(f, start + DST_ADDRESS_OFFSET);
        if ((Bytes.u16(f, start + FLAGS_FRAGMENT_OFFSET) & FRAGMENT_OFFSET_MASK) != 0)
        {
            return DecodeStatus.FRAGMENT;
        }
        if (Bytes.u8(f, start + PROTOCOL_OFFSET) != TcpHeader.PROTOCOL_NUMBER)
        {
            return DecodeStatus.NOT_TCP;
        }
        final int wireEnd = totalLength == TSO_TOTAL_LENGTH ? Math.max(limit, e.wireLength) : start + totalLength;
        return TcpHeader.decode(e, f, start + headerLength, Math.min(wireEnd, limit), wireEnd);
    }
}
