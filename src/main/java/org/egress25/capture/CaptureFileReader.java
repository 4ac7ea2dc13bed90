package org.egress25.capture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import org.egress25.event.PacketEvent;

/**
 * Reads packets from a capture file for replay: classic pcap (either byte order, microsecond or nanosecond
 * timestamps), pcapng (any number of sections in either byte order, any number of interfaces), and either of
 * them gzip-compressed, which is detected from the content, not the file name.
 *
 * <p><b>Why pure Java and not pcap4j.</b> Replay is the bench the analysers are tuned on, so the reader must
 * not be the bottleneck. pcap4j's {@code loop} pays a crossing from C and a fresh {@code byte[]} per packet and
 * is slower than {@code tcpdump -r}; a pure-Java reader into one reused buffer is several times faster than
 * either and allocates nothing (figures in benchmarks/NOTES.md, "Reading capture files").
 * This class is that reader: one {@link FileChannel} fills one large {@link ByteBuffer} (refilled about once
 * per 2,000 packets), records are parsed in place with absolute gets, and each packet is copied once, straight
 * into the ring slot's {@link PacketEvent#frame}. Nothing is allocated per packet.
 *
 * <p><b>Bad files.</b> A last record cut short (a capture copied while still being written, a
 * {@code head -c}'d file) is counted in {@link #truncatedRecords()} and ends the file cleanly. A record that
 * cannot be real (a capture length over {@value #MAX_CAPTURE_LENGTH} bytes, a pcapng block length that is not a
 * multiple of 4 or disagrees with its trailer, a packet for an interface never described) means the file is
 * corrupt from there on, so {@link #next} throws an {@link IOException} naming the file, the record number and
 * its byte offset, and the operator can cut the file there.
 *
 * <p>Not thread-safe: one replay thread owns a reader.
 */
public final class CaptureFileReader implements AutoCloseable
{
    /**
     * Largest capture length believed. libpcap's own limit (MAXIMUM_SNAPLEN) is 262,144; a larger record means
     * the file is misaligned or corrupt, and believing it would swallow the rest of the file as one packet.
     */
    public static final int MAX_CAPTURE_LENGTH = 256 * 1024;

    /**
     * 1 MiB of direct memory: 2,000 packets of 500 bytes per read call. Measured with {@code ReplayThroughput}
     * (3 M packets of ~515 bytes, reader plus decoder, thread CPU time on this shared 2-vCPU machine at load
     * 11-15): direct 1 MiB 125-186 ns/packet, direct 4 MiB 142-203, heap 1 MiB 164-228; {@code tcpdump -r f -w
     * /dev/null} on the same file 230-300 ns. A heap buffer costs an extra copy, because the kernel can only
     * read into native memory and the JDK bounces through a temporary direct buffer.
     */
    static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    /** The largest record with its header and a few kilobytes of pcapng options must fit in the buffer. */
    static final int MIN_BUFFER_SIZE = MAX_CAPTURE_LENGTH + 4096;

    static final int PCAP_MAGIC_MICROS = 0xa1b2c3d4;
    static final int PCAP_MAGIC_NANOS = 0xa1b23c4d;
    static final int PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
    static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    static final int GZIP_MAGIC = 0x1f8b;

    /*
     * Classic pcap file header, 24 bytes, then records, all in the byte order the magic reveals:
     *
     *  0               4       6       8               12              16              20              24
     * +---------------+-------+-------+---------------+---------------+---------------+---------------+
     * | magic         | major | minor | thiszone      | sigfigs       | snaplen       | linktype      |
     * +---------------+-------+-------+---------------+---------------+---------------+---------------+
     *
     * Record header, 16 bytes, then incl_len bytes of packet:
     * +---------------+---------------+---------------+---------------+
     * | ts seconds    | ts usec/nsec  | incl_len      | orig_len      |
     * +---------------+---------------+---------------+---------------+
     */
    static final int PCAP_FILE_HEADER_LENGTH = 24;
    static final int PCAP_LINK_TYPE_OFFSET = 20;
    /** The link type is the low 16 bits; the top bits may carry the FCS length. */
    static final int PCAP_LINK_TYPE_MASK = 0xffff;
    static final int PCAP_TS_SECONDS_OFFSET = 0;
    static final int PCAP_TS_FRACTION_OFFSET = PCAP_TS_SECONDS_OFFSET + 4;
    static final int PCAP_CAPTURE_LENGTH_OFFSET = PCAP_TS_FRACTION_OFFSET + 4;
    static final int PCAP_WIRE_LENGTH_OFFSET = PCAP_CAPTURE_LENGTH_OFFSET + 4;
    static final int PCAP_RECORD_HEADER_LENGTH = PCAP_WIRE_LENGTH_OFFSET + 4;

    /*
     * pcapng block: type, total length, body, total length again; every block a multiple of 4 bytes.
     *
     * +---------------+---------------+-------------------------------------------+---------------+
     * | block type    | total length  | body (padded to 32 bits)                  | total length  |
     * +---------------+---------------+-------------------------------------------+---------------+
     *
     * Section header body: byte-order magic 0x1a2b3c4d, major, minor, section length (64), options.
     * Interface description body: link type (16), reserved (16), snaplen (32), options.
     * Enhanced packet body: interface id (32), ts high (32), ts low (32), captured len, original len, data, options.
     * Obsolete packet body: interface id (16), drops (16), then as the enhanced packet block.
     * Simple packet body: original len (32), data (captured length implied by the block length).
     */
    static final int BLOCK_TYPE_OFFSET = 0;
    static final int BLOCK_LENGTH_OFFSET = BLOCK_TYPE_OFFSET + 4;
    static final int BLOCK_BODY_OFFSET = BLOCK_LENGTH_OFFSET + 4;
    static final int BLOCK_TRAILER_LENGTH = 4;
    static final int MIN_BLOCK_LENGTH = BLOCK_BODY_OFFSET + BLOCK_TRAILER_LENGTH;

    static final int SHB_BYTE_ORDER_OFFSET = BLOCK_BODY_OFFSET;
    static final int SHB_MIN_LENGTH = SHB_BYTE_ORDER_OFFSET + 4 + 2 + 2 + 8 + BLOCK_TRAILER_LENGTH;

    static final int IDB_LINK_TYPE_OFFSET = BLOCK_BODY_OFFSET;
    static final int IDB_SNAP_LENGTH_OFFSET = IDB_LINK_TYPE_OFFSET + 4;
    static final int IDB_OPTIONS_OFFSET = IDB_SNAP_LENGTH_OFFSET + 4;

    static final int EPB_INTERFACE_OFFSET = BLOCK_BODY_OFFSET;
    static final int EPB_TS_HIGH_OFFSET = EPB_INTERFACE_OFFSET + 4;
    static final int EPB_TS_LOW_OFFSET = EPB_TS_HIGH_OFFSET + 4;
    static final int EPB_CAPTURE_LENGTH_OFFSET = EPB_TS_LOW_OFFSET + 4;
    static final int EPB_WIRE_LENGTH_OFFSET = EPB_CAPTURE_LENGTH_OFFSET + 4;
    static final int EPB_DATA_OFFSET = EPB_WIRE_LENGTH_OFFSET + 4;

    static final int SPB_WIRE_LENGTH_OFFSET = BLOCK_BODY_OFFSET;
    static final int SPB_DATA_OFFSET = SPB_WIRE_LENGTH_OFFSET + 4;

    static final int BLOCK_INTERFACE_DESCRIPTION = 1;
    static final int BLOCK_PACKET_OBSOLETE = 2;
    static final int BLOCK_SIMPLE_PACKET = 3;
    static final int BLOCK_ENHANCED_PACKET = 6;

    static final int OPTION_END = 0;
    static final int OPTION_IF_TSRESOL = 9;
    static final int OPTION_IF_TSOFFSET = 14;

    private final Path file;
    private final ReadableByteChannel channel;
    private final boolean gzip;
    /** A pipe or device: hand each record on as soon as it is whole, never wait for a full buffer. */
    private final boolean pipe;
    private final long fileSize;
    private final ByteBuffer buffer;
    private final InterfaceTable interfaces = new InterfaceTable();

    /** Next unread byte and end of valid bytes in {@link #buffer}; its own position and limit are only for reads. */
    private int position;
    private int limit;
    /** Stream offset of buffer[0]. */
    private long bufferStart;
    private boolean endOfStream;
    private boolean finished;

    private final boolean pcapng;
    private int pcapLinkType;
    private long pcapFractionNanos;
    /** Simple packet blocks carry no timestamp; they reuse the last one seen so time never runs backwards. */
    private long lastTimestampNanos;

    private long records;
    private long packets;
    private long truncated;
    private long capturedBeyondWire;

    private CaptureFileReader(
        final Path file, final ReadableByteChannel channel, final boolean gzip, final boolean pipe, final long fileSize,
        final ByteBuffer buffer)
        throws IOException
    {
        this.file = file;
        this.channel = channel;
        this.gzip = gzip;
        this.pipe = pipe;
        this.fileSize = fileSize;
        this.buffer = buffer;
        if (!ensure(4))
        {
            throw new IOException(file + ": not a capture file: " + (limit == 0 ? "it is empty" : "only " + limit + " bytes"));
        }
        buffer.order(ByteOrder.BIG_ENDIAN);
        final int magic = buffer.getInt(0);
        if (magic == PCAPNG_SECTION_HEADER)
        {
            pcapng = true;
            return;
        }
        pcapng = false;
        final boolean bigEndian = magic == PCAP_MAGIC_MICROS || magic == PCAP_MAGIC_NANOS;
        final int swapped = Integer.reverseBytes(magic);
        if (!bigEndian && swapped != PCAP_MAGIC_MICROS && swapped != PCAP_MAGIC_NANOS)
        {
            throw new IOException(String.format(
                "%s: not a pcap or pcapng file (starts with 0x%08x)%s", file, magic, gzip ? " inside the gzip" : ""));
        }
        buffer.order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        pcapFractionNanos = buffer.getInt(0) == PCAP_MAGIC_NANOS ? 1 : 1_000;
        if (!ensure(PCAP_FILE_HEADER_LENGTH))
        {
            throw new IOException(file + ": pcap file header cut short at " + limit + " of 24 bytes");
        }
        pcapLinkType = buffer.getInt(PCAP_LINK_TYPE_OFFSET) & PCAP_LINK_TYPE_MASK;
        position = PCAP_FILE_HEADER_LENGTH;
    }

    /** Opens a capture file, recognising pcap, pcapng and gzip by their magic numbers. */
    public static CaptureFileReader open(final Path file) throws IOException
    {
        return open(file, DEFAULT_BUFFER_SIZE, true);
    }

    /** Opens with a chosen buffer, for the throughput comparison of heap and direct buffers. */
    static CaptureFileReader open(final Path file, final int bufferSize, final boolean direct) throws IOException
    {
        if (bufferSize < MIN_BUFFER_SIZE)
        {
            throw new IllegalArgumentException("buffer of " + bufferSize + " bytes is below the " + MIN_BUFFER_SIZE + " minimum");
        }
        final ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(bufferSize);
        if (!Files.isRegularFile(file))
        {
            return openStream(file, buffer);
        }
        final FileChannel fileChannel = FileChannel.open(file, StandardOpenOption.READ);
        try
        {
            final ByteBuffer head = ByteBuffer.allocate(2);
            while (head.hasRemaining() && fileChannel.read(head) >= 0)
            {
                // a file shorter than two bytes is reported by the constructor
            }
            final boolean gzip = head.position() == 2 && (head.getShort(0) & 0xffff) == GZIP_MAGIC;
            if (gzip)
            {
                fileChannel.close();
                final InputStream raw = Files.newInputStream(file);
                final InputStream in;
                try
                {
                    in = new GZIPInputStream(raw, 1 << 16);
                }
                catch (final IOException ex)
                {
                    raw.close();
                    throw gzipError(file, ex);
                }
                try
                {
                    return new CaptureFileReader(file, Channels.newChannel(in), true, false, -1, buffer);
                }
                catch (final IOException | RuntimeException ex)
                {
                    in.close();
                    throw ex;
                }
            }
            fileChannel.position(0);
            return new CaptureFileReader(file, fileChannel, false, false, fileChannel.size(), buffer);
        }
        catch (final IOException | RuntimeException ex)
        {
            fileChannel.close();
            throw ex;
        }
    }

    /**
     * Copies the next packet into {@code e}: its frame (truncated to {@code e.frame.length}), capture and wire
     * lengths, link type and epoch-nanosecond timestamp.
     *
     * @return false at the end of the file, including after a truncated last record
     * @throws IOException on a read error or a record that cannot be real (the message says where)
     */
    public boolean next(final PacketEvent e) throws IOException
    {
        if (finished)
        {
            return false;
        }
        return pcapng ? nextPcapng(e) : nextPcap(e);
    }

    private boolean nextPcap(final PacketEvent e) throws IOException
    {
        if (!ensure(PCAP_RECORD_HEADER_LENGTH))
        {
            return endOfFile();
        }
        records++;
        final ByteBuffer b = buffer;
        final int at = position;
        final int captureLength = checkedCaptureLength(at, b.getInt(at + PCAP_CAPTURE_LENGTH_OFFSET));
        if (!ensure(PCAP_RECORD_HEADER_LENGTH + captureLength))
        {
            return endOfFile();
        }
        final int start = position;
        final long seconds = b.getInt(start + PCAP_TS_SECONDS_OFFSET) & 0xffff_ffffL;
        final long fraction = b.getInt(start + PCAP_TS_FRACTION_OFFSET) & 0xffff_ffffL;
        deliver(e, start + PCAP_RECORD_HEADER_LENGTH, captureLength, b.getInt(start + PCAP_WIRE_LENGTH_OFFSET),
            pcapLinkType, seconds * 1_000_000_000L + fraction * pcapFractionNanos);
        position = start + PCAP_RECORD_HEADER_LENGTH + captureLength;
        return true;
    }

    private boolean nextPcapng(final PacketEvent e) throws IOException
    {
        while (true)
        {
            if (!ensure(BLOCK_BODY_OFFSET))
            {
                return endOfFile();
            }
            records++;
            if (buffer.getInt(position + BLOCK_TYPE_OFFSET) == PCAPNG_SECTION_HEADER && !startSection())
            {
                return endOfFile();
            }
            final int blockLength = buffer.getInt(position + BLOCK_LENGTH_OFFSET);
            if (blockLength < MIN_BLOCK_LENGTH || (blockLength & 3) != 0)
            {
                throw corrupt(position, "block length " + Integer.toUnsignedString(blockLength)
                    + " is not a multiple of 4 of at least " + MIN_BLOCK_LENGTH);
            }
            final int type = buffer.getInt(position + BLOCK_TYPE_OFFSET);
            if (blockLength > buffer.capacity())
            {
                if (isPacketBlock(type))
                {
                    throw corrupt(position, "packet block of " + blockLength + " bytes exceeds the "
                        + MAX_CAPTURE_LENGTH + "-byte capture maximum");
                }
                if (!skipLargeBlock(blockLength))
                {
                    return endOfFile();
                }
                continue;
            }
            if (!ensure(blockLength))
            {
                return endOfFile();
            }
            final int at = position;
            if (buffer.getInt(at + blockLength - BLOCK_TRAILER_LENGTH) != blockLength)
            {
                throw corrupt(at, "block trailer " + Integer.toUnsignedString(buffer.getInt(at + blockLength - 4))
                    + " does not repeat the block length " + blockLength);
            }
            final boolean delivered = readBlock(e, type, at, blockLength);
            position = at + blockLength;
            if (delivered)
            {
                return true;
            }
        }
    }

    private int checkedCaptureLength(final int recordAt, final int captureLength) throws IOException
    {
        if (captureLength < 0 || captureLength > MAX_CAPTURE_LENGTH)
        {
            throw corrupt(recordAt, "capture length " + Integer.toUnsignedString(captureLength)
                + " exceeds the " + MAX_CAPTURE_LENGTH + "-byte maximum");
        }
        return captureLength;
    }

    private static boolean isPacketBlock(final int type)
    {
        return type == BLOCK_ENHANCED_PACKET || type == BLOCK_SIMPLE_PACKET || type == BLOCK_PACKET_OBSOLETE;
    }

    /** Interprets one whole block at {@code at}; true when it delivered a packet into {@code e}. */
    private boolean readBlock(final PacketEvent e, final int type, final int at, final int blockLength) throws IOException
    {
        switch (type)
        {
            case BLOCK_ENHANCED_PACKET:
                return readPacketBlock(e, at, blockLength, buffer.getInt(at + EPB_INTERFACE_OFFSET));
            case BLOCK_PACKET_OBSOLETE:
                return readPacketBlock(e, at, blockLength, buffer.getShort(at + EPB_INTERFACE_OFFSET) & 0xffff);
            case BLOCK_SIMPLE_PACKET:
                return readSimplePacketBlock(e, at, blockLength);
            case BLOCK_INTERFACE_DESCRIPTION:
                readInterfaceDescription(at, blockLength);
                return false;
            default:
                // statistics, name resolution, decryption secrets, custom blocks: nothing a replay needs
                return false;
        }
    }

    /** Enhanced and obsolete packet blocks share their layout after the interface id. */
    private boolean readPacketBlock(final PacketEvent e, final int at, final int blockLength, final int interfaceId)
        throws IOException
    {
        final ByteBuffer b = buffer;
        final int captureLength = checkedCaptureLength(at, b.getInt(at + EPB_CAPTURE_LENGTH_OFFSET));
        if (EPB_DATA_OFFSET + captureLength + BLOCK_TRAILER_LENGTH > blockLength)
        {
            throw corrupt(at, "capture length " + captureLength + " overruns its " + blockLength + "-byte block");
        }
        if (interfaceId < 0 || interfaceId >= interfaces.count())
        {
            throw corrupt(at, "packet for interface " + Integer.toUnsignedString(interfaceId)
                + " but the section describes " + interfaces.count());
        }
        final long units = ((long)b.getInt(at + EPB_TS_HIGH_OFFSET) << 32) | (b.getInt(at + EPB_TS_LOW_OFFSET) & 0xffff_ffffL);
        deliver(e, at + EPB_DATA_OFFSET, captureLength, b.getInt(at + EPB_WIRE_LENGTH_OFFSET),
            interfaces.linkType(interfaceId), interfaces.toNanos(interfaceId, units));
        return true;
    }

    private boolean readSimplePacketBlock(final PacketEvent e, final int at, final int blockLength) throws IOException
    {
        if (interfaces.count() == 0)
        {
            throw corrupt(at, "simple packet block before any interface description");
        }
        final int wireLength = buffer.getInt(at + SPB_WIRE_LENGTH_OFFSET);
        final int room = blockLength - SPB_DATA_OFFSET - BLOCK_TRAILER_LENGTH;
        final int snapLength = interfaces.snapLength(0);
        // the block holds min(original length, snaplen) bytes plus padding; snaplen 0 means unlimited
        final int captured = Integer.compareUnsigned(wireLength, room) < 0 ? wireLength : room;
        final int captureLength = snapLength > 0 && snapLength < captured ? snapLength : captured;
        deliver(e, at + SPB_DATA_OFFSET, captureLength, wireLength, interfaces.linkType(0), lastTimestampNanos);
        return true;
    }

    private void readInterfaceDescription(final int at, final int blockLength) throws IOException
    {
        final ByteBuffer b = buffer;
        final int linkType = b.getShort(at + IDB_LINK_TYPE_OFFSET) & 0xffff;
        final int snapLength = b.getInt(at + IDB_SNAP_LENGTH_OFFSET);
        int tsresol = InterfaceTable.DEFAULT_TSRESOL;
        long tsOffsetSeconds = 0;
        final int end = at + blockLength - BLOCK_TRAILER_LENGTH;
        int option = at + IDB_OPTIONS_OFFSET;
        while (end - option >= 4)
        {
            final int code = b.getShort(option) & 0xffff;
            final int length = b.getShort(option + 2) & 0xffff;
            final int value = option + 4;
            if (code == OPTION_END || end - value < length)
            {
                break; // a broken option list loses only the options, the interface itself is still usable
            }
            if (code == OPTION_IF_TSRESOL && length >= 1)
            {
                tsresol = b.get(value) & 0xff;
            }
            else if (code == OPTION_IF_TSOFFSET && length >= 8)
            {
                tsOffsetSeconds = b.getLong(value);
            }
            option = value + ((length + 3) & ~3);
        }
        if (!interfaces.add(linkType, snapLength, tsresol, tsOffsetSeconds))
        {
            throw corrupt(at, "more than " + InterfaceTable.MAX_INTERFACES + " interfaces in one section");
        }
    }

    /**
     * Starts the section whose header block is at {@link #position}: switches the buffer to its byte order and
     * forgets the previous section's interfaces, since interface ids restart in every section.
     *
     * @return false when the file ends inside the byte-order magic
     */
    private boolean startSection() throws IOException
    {
        if (!ensure(SHB_BYTE_ORDER_OFFSET + 4))
        {
            return false;
        }
        final int magic = buffer.getInt(position + SHB_BYTE_ORDER_OFFSET);
        if (magic != PCAPNG_BYTE_ORDER_MAGIC)
        {
            if (Integer.reverseBytes(magic) != PCAPNG_BYTE_ORDER_MAGIC)
            {
                throw corrupt(position, String.format("section header byte-order magic 0x%08x is neither order of 0x1a2b3c4d", magic));
            }
            buffer.order(buffer.order() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        }
        interfaces.clear();
        return true;
    }

    /** Skips a block too large for the buffer (only non-packet blocks get here), checking its trailer. */
    private boolean skipLargeBlock(final int blockLength) throws IOException
    {
        final int at = position;
        final long offset = bufferStart + at;
        long remaining = blockLength - BLOCK_TRAILER_LENGTH;
        while (limit - position < remaining)
        {
            remaining -= limit - position;
            position = limit;
            if (!ensure(1))
            {
                return false;
            }
        }
        position += (int)remaining;
        if (!ensure(BLOCK_TRAILER_LENGTH))
        {
            return false;
        }
        if (buffer.getInt(position) != blockLength)
        {
            throw corrupt(offset, "block trailer does not repeat the block length " + blockLength);
        }
        position += BLOCK_TRAILER_LENGTH;
        return true;
    }

    private void deliver(
        final PacketEvent e, final int dataAt, final int captureLength, final int wireLength, final int linkType,
        final long timestampNanos)
    {
        if (Integer.compareUnsigned(captureLength, wireLength) > 0)
        {
            capturedBeyondWire++; // a broken writer: the bytes are kept as captured, the summary says so
        }
        final int copy = Math.min(captureLength, e.frame.length);
        buffer.get(dataAt, e.frame, 0, copy);
        e.kind = PacketEvent.KIND_PACKET;
        e.timestampNanos = timestampNanos;
        e.captureLength = copy;
        e.wireLength = wireLength;
        e.linkType = linkType;
        lastTimestampNanos = timestampNanos;
        packets++;
    }

    /** Ends the file; bytes left over are the start of a record the file does not finish. */
    private boolean endOfFile()
    {
        if (limit > position)
        {
            truncated++;
        }
        position = limit;
        finished = true;
        return false;
    }

    private IOException corrupt(final int bufferOffset, final String what)
    {
        return corrupt(bufferStart + bufferOffset, what);
    }

    private IOException corrupt(final long fileOffset, final String what)
    {
        return new IOException(String.format("%s: record %d at byte offset %d%s: %s",
            file, records, fileOffset, gzip ? " (of the decompressed stream)" : "", what));
    }

    /**
     * Makes at least {@code n} bytes available from {@link #position}, refilling the buffer when needed.
     *
     * @return false when the stream ends first
     */
    private boolean ensure(final int n) throws IOException
    {
        return limit - position >= n || fill(n);
    }

    private boolean fill(final int n) throws IOException
    {
        final ByteBuffer b = buffer;
        b.limit(limit).position(position);
        b.compact();
        bufferStart += position;
        limit -= position;
        position = 0;
        while (b.hasRemaining() && !endOfStream)
        {
            final int read = readSome(b);
            // the buffer's position, not the count, says what arrived: a gzip stream that ends early throws
            // after the channel has already copied part of what it decompressed
            limit = b.position();
            if (read < 0)
            {
                endOfStream = true;
            }
            else if (limit >= n && (read == 0 || pipe))
            {
                // a pipe delivers what the writer has written so far: judge it now rather than wait for
                // the next 1 MiB, which on a quiet link may take minutes (tcpdump -w - writes per packet with -U)
                break;
            }
        }
        return limit >= n;
    }

    private int readSome(final ByteBuffer b) throws IOException
    {
        try
        {
            return channel.read(b);
        }
        catch (final EOFException ex)
        {
            if (gzip)
            {
                return -1; // a gzip file cut short: what decompressed so far is still good
            }
            throw ex;
        }
        catch (final IOException ex)
        {
            throw gzip ? gzipError(file, ex) : ex;
        }
    }

    /**
     * A pipe or device ({@code tcpdump -w - | egress25 replay /dev/stdin}, a FIFO): it cannot seek, so the
     * gzip magic is peeked through a mark/reset stream instead, and the size is unknown. Records are handed on
     * as soon as they have arrived whole. A FileInputStream,
     * because the JDK 17 channel stream of Files.newInputStream seeks in available() and fails on a pipe.
     */
    private static CaptureFileReader openStream(final Path file, final ByteBuffer buffer) throws IOException
    {
        final java.io.BufferedInputStream in = new java.io.BufferedInputStream(new java.io.FileInputStream(file.toFile()), 1 << 16);
        try
        {
            in.mark(2);
            final int b0 = in.read();
            final int b1 = in.read();
            in.reset();
            final boolean gzip = b0 >= 0 && b1 >= 0 && ((b0 << 8) | b1) == GZIP_MAGIC;
            final InputStream source = gzip ? new GZIPInputStream(in, 1 << 16) : in;
            return new CaptureFileReader(file, Channels.newChannel(source), gzip, true, -1, buffer);
        }
        catch (final IOException | RuntimeException ex)
        {
            in.close();
            throw ex;
        }
    }

    private static IOException gzipError(final Path file, final Exception cause)
    {
        return new IOException(file + ": broken gzip stream: " + cause.getMessage(), cause);
    }

    /** Packets delivered so far. */
    public long packetsRead()
    {
        return packets;
    }

    /** Bytes of the capture consumed so far (of the decompressed stream for gzip), for progress against {@link #fileSize()}. */
    public long bytesRead()
    {
        return bufferStart + position;
    }

    /** True for a pipe or device, whose records arrive as a writer writes them. */
    public boolean isPipe()
    {
        return pipe;
    }

    /** Size of the file in bytes, or -1 for a gzip file whose decompressed size is unknown until the end. */
    public long fileSize()
    {
        return fileSize;
    }

    /** Records cut short by the end of the file: 0 or 1. */
    public long truncatedRecords()
    {
        return truncated;
    }

    /** Records claiming more captured bytes than the packet had on the wire (caplen &gt; len), impossible in a sound file. */
    public long capturedBeyondWire()
    {
        return capturedBeyondWire;
    }

    /** Link type of a classic pcap file, or of the first interface of the current pcapng section (-1 if none yet). */
    public int linkType()
    {
        if (!pcapng)
        {
            return pcapLinkType;
        }
        return interfaces.count() > 0 ? interfaces.linkType(0) : -1;
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
