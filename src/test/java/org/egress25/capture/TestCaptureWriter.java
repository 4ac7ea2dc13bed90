package org.egress25.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;

/**
 * Writes small pcap and pcapng files for tests, byte by byte as the formats define them, so the reader is
 * checked against the specification rather than against itself.
 */
final class TestCaptureWriter
{
    private final OutputStream out;
    private final ByteOrder order;
    private final ByteBuffer scratch = ByteBuffer.allocate(1 << 23);

    TestCaptureWriter(final OutputStream out, final ByteOrder order)
    {
        this.out = out;
        this.order = order;
        scratch.order(order);
    }

    /** Classic pcap file header; {@code nanos} picks the 0xa1b23c4d magic. */
    TestCaptureWriter pcapHeader(final boolean nanos, final int linkType, final int snapLength) throws IOException
    {
        scratch.clear();
        scratch.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0)
            .putInt(snapLength).putInt(linkType);
        return flush();
    }

    /** Classic pcap record; {@code fraction} is microseconds or nanoseconds as the header said. */
    TestCaptureWriter pcapRecord(final long seconds, final long fraction, final byte[] data, final int captureLength, final int wireLength)
        throws IOException
    {
        scratch.clear();
        scratch.putInt((int)seconds).putInt((int)fraction).putInt(captureLength).putInt(wireLength).put(data, 0, captureLength);
        return flush();
    }

    TestCaptureWriter pcapRecord(final long seconds, final long fraction, final byte[] data) throws IOException
    {
        return pcapRecord(seconds, fraction, data, data.length, data.length);
    }

    TestCaptureWriter sectionHeader() throws IOException
    {
        final ByteBuffer body = body();
        body.putInt(0x1a2b3c4d).putShort((short)1).putShort((short)0).putLong(-1L);
        option(body, 4, ascii("egress25 test")); // shb_userappl, to be skipped
        endOptions(body);
        return block(0x0a0d0d0a, body);
    }

    /**
     * Interface description; {@code tsresol} below 0 leaves the option out (microseconds), {@code tsOffsetSeconds}
     * of 0 leaves if_tsoffset out.
     */
    TestCaptureWriter interfaceDescription(final int linkType, final int snapLength, final int tsresol, final long tsOffsetSeconds)
        throws IOException
    {
        final ByteBuffer body = body();
        body.putShort((short)linkType).putShort((short)0).putInt(snapLength);
        option(body, 2, ascii("eth0")); // if_name
        if (tsresol >= 0)
        {
            option(body, 9, new byte[] {(byte)tsresol});
        }
        if (tsOffsetSeconds != 0)
        {
            final ByteBuffer offset = ByteBuffer.allocate(8).order(order).putLong(tsOffsetSeconds);
            option(body, 14, offset.array());
        }
        endOptions(body);
        return block(1, body);
    }

    TestCaptureWriter enhancedPacket(final int interfaceId, final long units, final byte[] data, final int wireLength) throws IOException
    {
        final ByteBuffer body = body();
        body.putInt(interfaceId).putInt((int)(units >>> 32)).putInt((int)units).putInt(data.length).putInt(wireLength);
        body.put(data);
        pad(body);
        option(body, 2, new byte[] {0, 0, 0, 1}); // epb_flags: inbound
        endOptions(body);
        return block(6, body);
    }

    TestCaptureWriter obsoletePacket(final int interfaceId, final long units, final byte[] data) throws IOException
    {
        final ByteBuffer body = body();
        body.putShort((short)interfaceId).putShort((short)0).putInt((int)(units >>> 32)).putInt((int)units)
            .putInt(data.length).putInt(data.length);
        body.put(data);
        pad(body);
        return block(2, body);
    }

    TestCaptureWriter simplePacket(final byte[] data, final int wireLength) throws IOException
    {
        final ByteBuffer body = body();
        body.putInt(wireLength).put(data);
        pad(body);
        return block(3, body);
    }

    /** Any block the reader should skip: name resolution (4), interface statistics (5), custom (0xbad)... */
    TestCaptureWriter otherBlock(final int type, final int bodyLength) throws IOException
    {
        final ByteBuffer body = body();
        body.put(new byte[bodyLength]);
        pad(body);
        return block(type, body);
    }

    void close() throws IOException
    {
        out.close();
    }

    static byte[] gzip(final byte[] plain) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes))
        {
            gz.write(plain);
        }
        return bytes.toByteArray();
    }

    private ByteBuffer body()
    {
        scratch.clear();
        scratch.position(8);
        return scratch;
    }

    private TestCaptureWriter block(final int type, final ByteBuffer body) throws IOException
    {
        final int length = body.position() + 4;
        body.putInt(length);
        body.putInt(0, type).putInt(4, length);
        return flush();
    }

    private TestCaptureWriter flush() throws IOException
    {
        out.write(scratch.array(), 0, scratch.position());
        return this;
    }

    private static void option(final ByteBuffer body, final int code, final byte[] value)
    {
        body.putShort((short)code).putShort((short)value.length).put(value);
        pad(body);
    }

    private static void endOptions(final ByteBuffer body)
    {
        body.putInt(0);
    }

    private static void pad(final ByteBuffer body)
    {
        while ((body.position() & 3) != 0)
        {
            body.put((byte)0);
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
