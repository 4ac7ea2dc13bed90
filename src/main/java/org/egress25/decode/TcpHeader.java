package org.egress25.decode;

import org.egress25.event.PacketEvent;

/**
 * TCP header (RFC 9293 section 3.1), the last layer the decoder reads.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Options (Data Offset - 5 words)   ...             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Options are not interpreted (nothing downstream needs MSS or timestamps); the decoder only checks that
 * the option area the data offset claims lies inside the segment, so the payload offset is trustworthy.
 */
final class TcpHeader
{
    static final int SRC_PORT_OFFSET = 0;
    static final int PORT_SIZE = 2;
    static final int DST_PORT_OFFSET = SRC_PORT_OFFSET + PORT_SIZE;
    static final int SEQ_OFFSET = DST_PORT_OFFSET + PORT_SIZE;
    static final int SEQ_SIZE = 4;
    static final int ACK_OFFSET = SEQ_OFFSET + SEQ_SIZE;
    static final int ACK_SIZE = 4;
    static final int DATA_OFFSET_OFFSET = ACK_OFFSET + ACK_SIZE;
    static final int DATA_OFFSET_SIZE = 1;
    static final int FLAGS_OFFSET = DATA_OFFSET_OFFSET + DATA_OFFSET_SIZE;
    static final int FLAGS_SIZE = 1;
    static final int WINDOW_OFFSET = FLAGS_OFFSET + FLAGS_SIZE;
    static final int WINDOW_SIZE = 2;
    static final int CHECKSUM_OFFSET = WINDOW_OFFSET + WINDOW_SIZE;
    static final int CHECKSUM_SIZE = 2;
    static final int URGENT_POINTER_OFFSET = CHECKSUM_OFFSET + CHECKSUM_SIZE;
    static final int URGENT_POINTER_SIZE = 2;
    static final int MIN_HEADER_LENGTH = URGENT_POINTER_OFFSET + URGENT_POINTER_SIZE;

    /** IP protocol number of TCP, in the IPv4 protocol field and the IPv6 next-header chain. */
    static final int PROTOCOL_NUMBER = 6;

    private TcpHeader()
    {
    }

    /**
     * Reads the TCP header at {@code start}.
     *
     * @param capturedEnd end of the segment's bytes in the frame (IP length or capture end, whichever is less)
     * @param wireEnd     end of the segment as the IP header claims it, possibly beyond the capture
     * @return a {@link DecodeStatus} code
     */
    static int decode(final PacketEvent e, final byte[] f, final int start, final int capturedEnd, final int wireEnd)
    {
        if (capturedEnd - start < MIN_HEADER_LENGTH)
        {
            return DecodeStatus.TRUNCATED_TCP;
        }
        e.srcPort = Bytes.u16(f, start + SRC_PORT_OFFSET);
        e.dstPort = Bytes.u16(f, start + DST_PORT_OFFSET);
        e.tcpSeq = Bytes.u32(f, start + SEQ_OFFSET);
        e.tcpAck = Bytes.u32(f, start + ACK_OFFSET);
        e.tcpFlags = Bytes.u8(f, start + FLAGS_OFFSET);
        e.tcpWindow = Bytes.u16(f, start + WINDOW_OFFSET);

        final int headerLength = (Bytes.u8(f, start + DATA_OFFSET_OFFSET) >>> 4) * 4;
        if (headerLength < MIN_HEADER_LENGTH || start + headerLength > wireEnd)
        {
            return DecodeStatus.BAD_TCP_DATA_OFFSET;
        }
        if (start + headerLength > capturedEnd)
        {
            return DecodeStatus.TRUNCATED_TCP;
        }
        final int payloadStart = start + headerLength;
        e.payloadOffset = payloadStart;
        e.payloadLength = capturedEnd - payloadStart;
        e.payloadWireLength = wireEnd - payloadStart;
        return DecodeStatus.OK;
    }
}
