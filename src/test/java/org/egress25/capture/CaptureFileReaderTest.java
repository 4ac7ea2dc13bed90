package org.egress25.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.egress25.decode.LinkType;
import org.egress25.event.PacketEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFileReaderTest
{
    private static final long SECONDS = 1_764_290_000L;

    @TempDir
    Path dir;

    private final PacketEvent e = PacketEvent.factory(PacketEvent.MAX_FRAME).newInstance();

    private static byte[] frame(final int length, final int seed)
    {
        final byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path write(final String name, final byte[] content) throws IOException
    {
        return Files.write(dir.resolve(name), content);
    }

    /** Three packets: a small one, a full-size one and one the snaplen cut to 96 of its 1514 bytes. */
    private static byte[] classicPcap(final ByteOrder order, final boolean nanos) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final long unit = nanos ? 1 : 1_000;
        new TestCaptureWriter(bytes, order)
            .pcapHeader(nanos, LinkType.ETHERNET, 65535)
            .pcapRecord(SECONDS, 123_456_789 / unit, frame(60, 1))
            .pcapRecord(SECONDS + 1, 5_000_000 / unit, frame(1514, 2))
            .pcapRecord(SECONDS + 2, 999_999_999 / unit, frame(1514, 3), 96, 1514);
        return bytes.toByteArray();
    }

    private void assertClassicPackets(final CaptureFileReader reader, final boolean nanos) throws IOException
    {
        assertPacket(reader, LinkType.ETHERNET, SECONDS * 1_000_000_000L + (nanos ? 123_456_789 : 123_456_000), frame(60, 1), 60);
        assertPacket(reader, LinkType.ETHERNET, (SECONDS + 1) * 1_000_000_000L + 5_000_000, frame(1514, 2), 1514);
        assertPacket(reader, LinkType.ETHERNET, (SECONDS + 2) * 1_000_000_000L + (nanos ? 999_999_999 : 999_999_000),
            Arrays.copyOf(frame(1514, 3), 96), 1514);
        assertThat(reader.next(e)).isFalse();
        assertThat(reader.next(e)).isFalse();
        assertThat(reader.packetsRead()).isEqualTo(3);
        assertThat(reader.truncatedRecords()).isZero();
    }

    private void assertPacket(
        final CaptureFileReader reader, final int linkType, final long nanos, final byte[] data, final int wireLength)
        throws IOException
    {
        assertThat(reader.next(e)).isTrue();
        assertThat(e.kind).isEqualTo(PacketEvent.KIND_PACKET);
        assertThat(e.linkType).isEqualTo(linkType);
        assertThat(e.timestampNanos).isEqualTo(nanos);
        assertThat(e.captureLength).isEqualTo(data.length);
        assertThat(e.wireLength).isEqualTo(wireLength);
        assertThat(Arrays.copyOf(e.frame, e.captureLength)).isEqualTo(data);
    }

    @Test
    void shouldReadClassicPcapInEitherByteOrderAndTimestampUnit() throws IOException
    {
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN})
        {
            for (final boolean nanos : new boolean[] {false, true})
            {
                final Path file = write("classic-" + order + nanos + ".pcap", classicPcap(order, nanos));
                try (CaptureFileReader reader = CaptureFileReader.open(file))
                {
                    assertThat(reader.linkType()).isEqualTo(LinkType.ETHERNET);
                    assertClassicPackets(reader, nanos);
                    assertThat(reader.fileSize()).isEqualTo(Files.size(file));
                    assertThat(reader.bytesRead()).isEqualTo(Files.size(file));
                }
            }
        }
    }

    @Test
    void shouldReadGzippedCapturesTransparently() throws IOException
    {
        final Path file = write("classic.pcap.gz", TestCaptureWriter.gzip(classicPcap(ByteOrder.LITTLE_ENDIAN, false)));
        try (CaptureFileReader reader = CaptureFileReader.open(file))
        {
            assertThat(reader.fileSize()).isEqualTo(-1);
            assertClassicPackets(reader, false);
        }
        final Path ng = write("two-sections.pcapng.gz", TestCaptureWriter.gzip(twoSectionPcapng()));
        try (CaptureFileReader reader = CaptureFileReader.open(ng))
        {
            assertTwoSectionPackets(reader);
        }
    }

    @Test
    void shouldReadFromAPipeSoTcpdumpCanFeedAReplay() throws Exception
    {
        final Path fifo = dir.resolve("capture.fifo");
        org.junit.jupiter.api.Assumptions.assumeTrue(
            new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "needs mkfifo");
        for (final byte[] content : new byte[][] {
            classicPcap(ByteOrder.LITTLE_ENDIAN, false), TestCaptureWriter.gzip(classicPcap(ByteOrder.LITTLE_ENDIAN, false))})
        {
            final Thread writer = new Thread(() ->
            {
                try
                {
                    java.nio.file.Files.write(fifo, content);
                }
                catch (final IOException e)
                {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            try (CaptureFileReader reader = CaptureFileReader.open(fifo))
            {
                assertThat(reader.fileSize()).isEqualTo(-1);
                assertClassicPackets(reader, false);
            }
            writer.join(10_000);
        }
    }

    /**
     * Section 1, little-endian: Ethernet interface in microseconds and a raw-IP interface in nanoseconds, packets
     * on both, blocks to skip between them, an obsolete and a simple packet block. Section 2, big-endian: one
     * Linux cooked interface with a 2^-20 s clock and a one-hour if_tsoffset.
     */
    private static byte[] twoSectionPcapng() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TestCaptureWriter(bytes, ByteOrder.LITTLE_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LinkType.ETHERNET, 128, -1, 0)
            .otherBlock(4, 20)
            .interfaceDescription(LinkType.RAW, 0, 9, 0)
            .enhancedPacket(0, SECONDS * 1_000_000L + 250_000, frame(100, 10), 100)
            .enhancedPacket(1, SECONDS * 1_000_000_000L + 7, frame(41, 11), 41)
            .otherBlock(5, 36)
            .otherBlock(0xbad, 3)
            .obsoletePacket(1, SECONDS * 1_000_000_000L + 8, frame(70, 12))
            .simplePacket(Arrays.copyOf(frame(300, 13), 128), 300);
        new TestCaptureWriter(bytes, ByteOrder.BIG_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LinkType.LINUX_SLL, 65535, 0x80 | 20, 3600)
            .enhancedPacket(0, (SECONDS << 20) | (1 << 19), frame(55, 14), 55);
        return bytes.toByteArray();
    }

    private void assertTwoSectionPackets(final CaptureFileReader reader) throws IOException
    {
        final long base = SECONDS * 1_000_000_000L;
        assertPacket(reader, LinkType.ETHERNET, base + 250_000_000, frame(100, 10), 100);
        assertPacket(reader, LinkType.RAW, base + 7, frame(41, 11), 41);
        assertPacket(reader, LinkType.RAW, base + 8, frame(70, 12), 70);
        // a simple packet block has no timestamp and belongs to interface 0, whose snaplen of 128 cut it
        assertPacket(reader, LinkType.ETHERNET, base + 8, Arrays.copyOf(frame(300, 13), 128), 300);
        assertPacket(reader, LinkType.LINUX_SLL, base + 3_600_000_000_000L + 500_000_000, frame(55, 14), 55);
        assertThat(reader.next(e)).isFalse();
        assertThat(reader.packetsRead()).isEqualTo(5);
        assertThat(reader.truncatedRecords()).isZero();
    }

    @Test
    void shouldReadPcapngSectionsInBothByteOrdersWithEveryPacketBlockKind() throws IOException
    {
        final byte[] content = twoSectionPcapng();
        final Path file = write("two-sections.pcapng", content);
        try (CaptureFileReader reader = CaptureFileReader.open(file))
        {
            assertTwoSectionPackets(reader);
            assertThat(reader.bytesRead()).isEqualTo(content.length);
        }
    }

    @Test
    void shouldTruncateAFrameToTheSlotButKeepItsWireLength() throws IOException
    {
        final PacketEvent small = PacketEvent.factory(64).newInstance();
        try (CaptureFileReader reader = CaptureFileReader.open(write("c.pcap", classicPcap(ByteOrder.BIG_ENDIAN, false))))
        {
            reader.next(small);
            assertThat(reader.next(small)).isTrue();
            assertThat(small.captureLength).isEqualTo(64);
            assertThat(small.wireLength).isEqualTo(1514);
            assertThat(small.frame).isEqualTo(Arrays.copyOf(frame(1514, 2), 64));
        }
    }

    @Test
    void shouldCarryRecordsAcrossBufferRefills() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TestCaptureWriter writer = new TestCaptureWriter(bytes, ByteOrder.LITTLE_ENDIAN).pcapHeader(false, 1, 65535);
        final Random random = new Random(7);
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 3_000; i++)
        {
            final byte[] data = frame(random.nextInt(1515), i);
            frames.add(data);
            writer.pcapRecord(SECONDS + i, 0, data);
        }
        final Path file = write("many.pcap", bytes.toByteArray());
        for (final boolean direct : new boolean[] {false, true})
        {
            try (CaptureFileReader reader = CaptureFileReader.open(file, CaptureFileReader.MIN_BUFFER_SIZE, direct))
            {
                for (int i = 0; i < frames.size(); i++)
                {
                    assertPacket(reader, LinkType.ETHERNET, (SECONDS + i) * 1_000_000_000L, frames.get(i), frames.get(i).length);
                }
                assertThat(reader.next(e)).isFalse();
                assertThat(reader.bytesRead()).isEqualTo(bytes.size());
            }
        }
    }

    @Test
    void shouldCountACutLastRecordAndEndCleanlyWhereverTheFileStops() throws IOException
    {
        final byte[] pcap = classicPcap(ByteOrder.LITTLE_ENDIAN, false);
        final int[] pcapEnds = {24 + 16 + 60, 24 + 16 + 60 + 16 + 1514, pcap.length};
        assertCutsEverywhere(pcap, pcapEnds, new int[] {24, pcapEnds[0], pcapEnds[1], pcapEnds[2]}, 24);

        final byte[] ng = twoSectionPcapng();
        final List<Integer> packetEnds = new ArrayList<>();
        try (CaptureFileReader reader = CaptureFileReader.open(write("whole.pcapng", ng)))
        {
            while (reader.next(e))
            {
                packetEnds.add((int)reader.bytesRead());
            }
        }
        assertCutsEverywhere(ng, packetEnds.stream().mapToInt(Integer::intValue).toArray(), blockEnds(ng), 4);
    }

    /** Where each pcapng block ends, walking the block lengths in each section's byte order. */
    private static int[] blockEnds(final byte[] pcapng)
    {
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pcapng);
        final List<Integer> ends = new ArrayList<>();
        for (int at = 0; at < pcapng.length; at += b.getInt(at + 4))
        {
            if (b.getInt(at) == 0x0a0d0d0a)
            {
                if (b.getInt(at + 8) != 0x1a2b3c4d)
                {
                    b.order(b.order() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                }
            }
            ends.add(at + b.getInt(at + 4));
        }
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Cuts {@code content} at every length from {@code from}: the packets that end before the cut are read, and
     * a cut anywhere but at a record boundary leaves exactly one truncated record.
     */
    private void assertCutsEverywhere(final byte[] content, final int[] packetEnds, final int[] recordEnds, final int from)
        throws IOException
    {
        for (int cut = from; cut <= content.length; cut++)
        {
            final Path file = write("cut", Arrays.copyOf(content, cut));
            final int length = cut;
            final long whole = Arrays.stream(packetEnds).filter(end -> end <= length).count();
            final boolean onBoundary = Arrays.stream(recordEnds).anyMatch(end -> end == length);
            // a heap buffer: thousands of direct ones would wait on the collector to free native memory
            try (CaptureFileReader reader = CaptureFileReader.open(file, CaptureFileReader.MIN_BUFFER_SIZE, false))
            {
                int read = 0;
                while (reader.next(e))
                {
                    read++;
                }
                assertThat(read).as("packets in a file cut at %d", cut).isEqualTo(whole);
                assertThat(reader.truncatedRecords()).as("truncated records in a file cut at %d", cut).isEqualTo(onBoundary ? 0 : 1);
                assertThat(reader.bytesRead()).isEqualTo(cut);
            }
        }
    }

    @Test
    void shouldEndAGzipFileCutShortAfterTheLastWholePacket() throws IOException
    {
        final byte[] gz = TestCaptureWriter.gzip(classicPcap(ByteOrder.LITTLE_ENDIAN, false));
        final Path file = write("cut.pcap.gz", Arrays.copyOf(gz, gz.length - 30));
        try (CaptureFileReader reader = CaptureFileReader.open(file))
        {
            int read = 0;
            while (reader.next(e))
            {
                read++;
            }
            assertThat(read).isBetween(1, 2);
            assertThat(reader.truncatedRecords()).isEqualTo(1);
        }
    }

    @Test
    void shouldNameTheFileOfABrokenGzipStream() throws IOException
    {
        final byte[] gz = TestCaptureWriter.gzip(classicPcap(ByteOrder.LITTLE_ENDIAN, false));
        for (int i = 20; i < 60; i++)
        {
            gz[i] ^= 0x5a;
        }
        final Path file = write("broken.pcap.gz", gz);
        assertThatThrownBy(() ->
        {
            try (CaptureFileReader reader = CaptureFileReader.open(file))
            {
                while (reader.next(e))
                {
                    // read to the break
                }
            }
        }).isInstanceOf(IOException.class).hasMessageContaining(file.toString());
    }

    @Test
    void shouldSkipANonPacketBlockLargerThanTheBuffer() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TestCaptureWriter(bytes, ByteOrder.BIG_ENDIAN)
            .sectionHeader()
            .interfaceDescription(LinkType.ETHERNET, 0, -1, 0)
            .enhancedPacket(0, 1, frame(60, 1), 60)
            .otherBlock(4, 3 * CaptureFileReader.DEFAULT_BUFFER_SIZE)
            .enhancedPacket(0, 2, frame(70, 2), 70);
        try (CaptureFileReader reader = CaptureFileReader.open(write("big-block.pcapng", bytes.toByteArray())))
        {
            assertPacket(reader, LinkType.ETHERNET, 1_000, frame(60, 1), 60);
            assertPacket(reader, LinkType.ETHERNET, 2_000, frame(70, 2), 70);
            assertThat(reader.next(e)).isFalse();
            assertThat(reader.truncatedRecords()).isZero();
        }
    }

    @Test
    void shouldNameFileRecordAndOffsetOfAnImpossibleCaptureLength() throws IOException
    {
        final byte[] pcap = classicPcap(ByteOrder.LITTLE_ENDIAN, false);
        final int second = 24 + 16 + 60;
        pcap[second + 8] = 0;
        pcap[second + 9] = 0;
        pcap[second + 10] = 0x10; // 0x00100000 = 1 MiB
        final Path file = write("bad-length.pcap", pcap);
        try (CaptureFileReader reader = CaptureFileReader.open(file))
        {
            assertThat(reader.next(e)).isTrue();
            assertThatThrownBy(() -> reader.next(e))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("record 2 at byte offset " + second)
                .hasMessageContaining("capture length 1048576");
        }
    }

    @Test
    void shouldRejectPcapngBlocksWithImpossibleLengthsOrTrailers() throws IOException
    {
        final byte[] good = twoSectionPcapng();
        final int idb = 52; // after the section header with its user-application option
        final byte[] oddLength = good.clone();
        oddLength[idb + 4] += 2;
        final Path odd = write("odd.pcapng", oddLength);
        try (CaptureFileReader reader = CaptureFileReader.open(odd))
        {
            assertThatThrownBy(() -> reader.next(e)).isInstanceOf(IOException.class)
                .hasMessageContaining(odd.toString())
                .hasMessageContaining("record 2 at byte offset 52")
                .hasMessageContaining("not a multiple of 4");
        }
        final byte[] badTrailer = good.clone();
        final int idbLength = good[idb + 4] & 0xff;
        badTrailer[idb + idbLength - 4] += 4;
        final Path trailer = write("trailer.pcapng", badTrailer);
        try (CaptureFileReader reader = CaptureFileReader.open(trailer))
        {
            assertThatThrownBy(() -> reader.next(e)).isInstanceOf(IOException.class)
                .hasMessageContaining("record 2 at byte offset 52")
                .hasMessageContaining("trailer");
        }
    }

    @Test
    void shouldRefuseFilesThatAreNotCaptures() throws IOException
    {
        final Path text = write("notes.pcap", "hello, this is not a capture".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> CaptureFileReader.open(text)).isInstanceOf(IOException.class)
            .hasMessageContaining(text.toString()).hasMessageContaining("not a pcap or pcapng file");
        final Path empty = write("empty.pcap", new byte[0]);
        assertThatThrownBy(() -> CaptureFileReader.open(empty)).isInstanceOf(IOException.class).hasMessageContaining("empty");
        final Path shortHeader = write("short.pcap", Arrays.copyOf(classicPcap(ByteOrder.LITTLE_ENDIAN, false), 20));
        assertThatThrownBy(() -> CaptureFileReader.open(shortHeader)).isInstanceOf(IOException.class)
            .hasMessageContaining("header cut short");
    }
}
