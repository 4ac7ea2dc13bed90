package org.egress25.synth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a classic pcap file (not pcapng): little-endian, microsecond timestamps, Ethernet link type.
 *
 * <pre>
 *  global header (24 bytes)                     record header (16 bytes) + frame
 *  +----------+-------+-------+------+------+   +--------+---------+--------+--------+---------
 *  | a1b2c3d4 | 2 | 4 | zone  | sigfigs |snap|1| | ts sec | ts usec | incl   | orig   | frame...
 *  +----------+-------+-------+------+------+   +--------+---------+--------+--------+---------
 * </pre>
 *
 * <p>Records go through one 4 MiB buffer that is drained to the channel when full, so writing the 2.3 GB
 * benchmark capture costs one {@code write} system call per ~7,500 packets and no allocation per packet.
 */
final class PcapWriter implements AutoCloseable
{
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int SNAP_LENGTH = 65_535;
    static final int LINKTYPE_ETHERNET = 1;
    static final int GLOBAL_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    private static final int BUFFER_SIZE = 4 << 20;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long packets;

    PcapWriter(final Path path) throws IOException
    {
        channel = FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        buffer.putInt(MAGIC_MICROS);
        buffer.putShort((short)2);
        buffer.putShort((short)4);
        buffer.putInt(0);
        buffer.putInt(0);
        buffer.putInt(SNAP_LENGTH);
        buffer.putInt(LINKTYPE_ETHERNET);
    }

    void write(final long epochMicros, final byte[] frame, final int length) throws IOException
    {
        if (buffer.remaining() < RECORD_HEADER_LENGTH + length)
        {
            drain();
        }
        buffer.putInt((int)(epochMicros / 1_000_000L));
        buffer.putInt((int)(epochMicros % 1_000_000L));
        buffer.putInt(length);
        buffer.putInt(length);
        buffer.put(frame, 0, length);
        packets++;
    }

    long packets()
    {
        return packets;
    }

    private void drain() throws IOException
    {
        buffer.flip();
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
        buffer.clear();
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            drain();
        }
        finally
        {
            channel.close();
        }
    }
}
