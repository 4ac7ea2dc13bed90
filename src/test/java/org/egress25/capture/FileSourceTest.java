package org.egress25.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.egress25.cli.Main;
import org.egress25.decode.LinkType;
import org.egress25.decode.TestFrames;
import org.egress25.event.PacketEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class FileSourceTest
{
    private static final long SECONDS = 1_764_290_000L;

    @TempDir
    Path dir;

    @Test
    void shouldAnalyseEachSegmentOnceWhenACorruptRecordStopsTheReplayInsideABatch() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TestCaptureWriter writer = new TestCaptureWriter(bytes, ByteOrder.LITTLE_ENDIAN)
            .pcapHeader(false, LinkType.ETHERNET, 65535);
        for (int i = 0; i < 1_000; i++)
        {
            writer.pcapRecord(SECONDS, i, syn(i));
        }
        final Path file = Files.write(dir.resolve("syns-then-corrupt.pcap"), bytes.toByteArray());
        try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND))
        {
            // a record header claiming 4 GB: the reader stops there, 40 segments into the 16th batch of 64
            out.write(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, (byte)0xf0, (byte)0xff, (byte)0xff, (byte)0xff, 0, 0, 0, 0});
        }

        final StringWriter err = new StringWriter();
        final int exit = Main.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
            .execute("replay", file.toString(), "--ring-size", "64", "--inside", "10.0.0.0/8",
                "--decisions", dir.resolve("decisions.jsonl").toString());

        assertThat(exit).as(err.toString()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(err.toString())
            .as("the 24 claimed slots after the last SYN are ticks, not the previous lap's SYNs again")
            .contains("1,000 packets").contains(" 1,000 SMTP segments")
            .contains("stopped early").contains("record 1001 at byte offset 70024");
    }

    @Test
    void shouldJudgePacketsFromAPipeAsTheyArriveNotInMebibyteChunks() throws Exception
    {
        final Path fifo = dir.resolve("capture.fifo");
        org.egress25.testing.Shell.run("mkfifo", fifo.toString()).orThrow("mkfifo");
        final Path decisions = dir.resolve("decisions.jsonl");
        final StringWriter err = new StringWriter();
        final java.util.concurrent.CompletableFuture<Integer> replay = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> Main.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
                .execute("replay", fifo.toString(), "--inside", "10.0.0.0/8", "--quiet",
                    "--decisions", decisions.toString()));
        try (OutputStream pipe = Files.newOutputStream(fifo))
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final TestCaptureWriter writer = new TestCaptureWriter(bytes, ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(false, LinkType.ETHERNET, 65535);
            // one host, port-25 attempts to 60 servers a second apart: the fan-out rule blocks it at the 11th, 4 KB in all
            for (int i = 0; i < 60; i++)
            {
                writer.pcapRecord(SECONDS + i, 0, TestFrames.ethernet(0x0800, TestFrames.ipv4(
                    "10.1.0.7", "198.18.1." + (i + 1), TestFrames.tcp(40_000 + i, 25, PacketEvent.TCP_SYN, 0, new byte[0]))));
                pipe.write(bytes.toByteArray());
                pipe.flush();
                bytes.reset();
                Thread.sleep(10);
            }
            final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (!(Files.exists(decisions) && Files.readString(decisions).contains("10.1.0.7"))
                && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertThat(Files.exists(decisions) ? Files.readString(decisions) : "")
                .as("decided while the pipe is still open, after %d bytes", 24 + 60 * 70).contains("\"host\":\"10.1.0.7\"");
        }
        assertThat(replay.get(30, java.util.concurrent.TimeUnit.SECONDS)).as(err.toString()).isZero();
    }

    @Test
    void shouldSayInTheSummaryThatTheLastRecordWasCutShort() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TestCaptureWriter(bytes, ByteOrder.LITTLE_ENDIAN).pcapHeader(false, LinkType.ETHERNET, 65535)
            .pcapRecord(SECONDS, 0, syn(1)).pcapRecord(SECONDS, 1, syn(2));
        final byte[] whole = bytes.toByteArray();

        final String err = replay(java.util.Arrays.copyOf(whole, whole.length - 20), 0);

        assertThat(err).contains("1 packets").contains("warning: the last record is cut short");
    }

    @Test
    void shouldSayInTheSummaryThatNoFrameOfAnUnknownLinkTypeWasDecoded() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TestCaptureWriter(bytes, ByteOrder.LITTLE_ENDIAN).pcapHeader(false, 147, 65535)
            .pcapRecord(SECONDS, 0, syn(1)).pcapRecord(SECONDS, 1, syn(2));

        assertThat(replay(bytes.toByteArray(), 0))
            .contains("warning: 2 of 2 frames have a link type egress25 does not decode");
    }

    @Test
    void shouldSayInTheSummaryThatRecordsClaimMoreBytesThanTheWireCarried() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] frame = syn(1);
        new TestCaptureWriter(bytes, ByteOrder.LITTLE_ENDIAN).pcapHeader(false, LinkType.ETHERNET, 65535)
            .pcapRecord(SECONDS, 0, frame, frame.length, 40);

        assertThat(replay(bytes.toByteArray(), 0)).contains("warning: 1 records claim more captured bytes than the "
            + "packet had on the wire (caplen > len)");
    }

    /** Replays {@code capture} from a file, checks the exit code and returns standard error. */
    private String replay(final byte[] capture, final int expectedExit) throws Exception
    {
        final Path file = Files.write(dir.resolve("capture.pcap"), capture);
        final StringWriter err = new StringWriter();
        final int exit = Main.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(new StringWriter()))
            .execute("replay", file.toString(), "--inside", "10.0.0.0/8", "--decisions",
                dir.resolve("decisions.jsonl").toString());
        assertThat(exit).as(err.toString()).isEqualTo(expectedExit);
        return err.toString();
    }

    private static byte[] syn(final int i)
    {
        return TestFrames.ethernet(0x0800, TestFrames.ipv4("10.1." + (i >> 8) + "." + (i & 0xff), "198.18.0.1",
            TestFrames.tcp(40_000 + i, 25, PacketEvent.TCP_SYN, 0, new byte[0])));
    }
}
