package org.egress25.event;

import com.lmax.disruptor.EventFactory;

/**
 * One slot of the ring: a captured frame and, once decoded, its header fields as primitives.
 *
 * <p>Slots are created once when the ring is built and then reused for every packet that passes through
 * them, so nothing here may hold a reference that outlives the packet: no {@code String}, no
 * {@code InetAddress}, no pcap4j {@code Packet}. The capture thread copies the frame into {@link #frame}
 * (the only copy made of it); the decode stage fills the fields below in place.
 *
 * <p>Addresses are held as two longs in IPv6 form. An IPv4 address is stored IPv4-mapped
 * ({@code ::ffff:a.b.c.d}: {@code hi == 0}, {@code lo == Addresses.IPV4_MAPPED_PREFIX | addr}) so one code
 * path serves both families, and a host key is simply the pair.
 */
public final class PacketEvent
{
    /** Kind of slot: a captured frame. */
    public static final int KIND_PACKET = 0;
    /** Kind of slot: a clock tick published when the wire is quiet, so timeouts still fire. */
    public static final int KIND_TICK = 1;
    /** Kind of slot: end of input; analysers flush and the pipeline reports it has drained. */
    public static final int KIND_END = 2;

    /** Largest frame we keep; longer frames are truncated to this like a pcap snaplen. */
    public static final int MAX_FRAME = 65_535;

    /**
     * Factory for the ring; each slot owns a frame buffer of the given size.
     */
    public static EventFactory<PacketEvent> factory(final int snapLength)
    {
        final int size = Math.max(64, Math.min(MAX_FRAME, snapLength));
        return () -> new PacketEvent(size);
    }

    public final byte[] frame;

    // --- written by the capture thread ---
    public int kind;
    /** Capture time in nanoseconds since the epoch; the only clock analysers use. */
    public long timestampNanos;
    /** Bytes of the frame present in {@link #frame}. */
    public int captureLength;
    /** Length of the frame on the wire (may exceed captureLength when snaplen cut it). */
    public int wireLength;
    /** pcap link type (DLT_*) of the frame. */
    public int linkType;
    /**
     * True when the capture thread already decoded this frame (replay pre-filters SMTP frames the way the
     * kernel filter does live), so the analysis thread does not decode it again.
     */
    public boolean decoded;
    /**
     * True when the capture thread also oriented it ({@link #direction}, {@link #hostClass}) under the one
     * policy a replay runs with; false means the analysis thread orients it.
     */
    public boolean oriented;

    // --- written by the decode stage ---
    /** {@link org.egress25.decode.DecodeStatus} code: OK, not-ours, or the malformation reason. */
    public int status;
    /** 4 or 6. */
    public int ipVersion;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    public int srcPort;
    public int dstPort;
    /** TCP flags byte (FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ECE=0x40 CWR=0x80). */
    public int tcpFlags;
    /** Sequence and acknowledgement numbers as unsigned 32-bit values. */
    public long tcpSeq;
    public long tcpAck;
    public int tcpWindow;
    /** Offset of the TCP payload in {@link #frame}, and its length as captured. */
    public int payloadOffset;
    public int payloadLength;
    /** Payload length claimed by the IP header, which exceeds payloadLength when snaplen truncated it. */
    public int payloadWireLength;

    // --- written by the direction stage ---
    /** {@link #DIR_NONE}, {@link #DIR_OUTBOUND} (inside client to outside SMTP server) or {@link #DIR_INBOUND}. */
    public int direction;
    /** Policy class of the inside host of an outbound or inbound segment; a long-lived policy object. */
    public org.egress25.policy.HostClass hostClass;

    /** Not an SMTP segment between an inside client and an outside server: analysers ignore it. */
    public static final int DIR_NONE = 0;
    /** Inside client to outside server's SMTP port: the host is the source. */
    public static final int DIR_OUTBOUND = 1;
    /** Outside server's SMTP port back to the inside client: the host is the destination. */
    public static final int DIR_INBOUND = 2;

    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    /** High half of the inside host's address (source when outbound, destination when inbound). */
    public long hostHi()
    {
        return direction == DIR_INBOUND ? dstHi : srcHi;
    }

    public long hostLo()
    {
        return direction == DIR_INBOUND ? dstLo : srcLo;
    }

    public long serverHi()
    {
        return direction == DIR_INBOUND ? srcHi : dstHi;
    }

    public long serverLo()
    {
        return direction == DIR_INBOUND ? srcLo : dstLo;
    }

    public int serverPort()
    {
        return direction == DIR_INBOUND ? srcPort : dstPort;
    }

    public int clientPort()
    {
        return direction == DIR_INBOUND ? dstPort : srcPort;
    }

    PacketEvent(final int frameSize)
    {
        this.frame = new byte[frameSize];
    }

    /** Resets the decoded fields; the capture fields are overwritten by the next publish anyway. */
    public void clearDecoded()
    {
        status = 0;
        ipVersion = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        srcPort = dstPort = 0;
        tcpFlags = 0;
        tcpSeq = tcpAck = 0;
        tcpWindow = 0;
        payloadOffset = payloadLength = payloadWireLength = 0;
        direction = DIR_NONE;
        hostClass = null;
    }

    public boolean isTcpFlag(final int flag)
    {
        return (tcpFlags & flag) != 0;
    }
}
