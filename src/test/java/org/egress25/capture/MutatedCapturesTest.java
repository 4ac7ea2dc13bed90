package org.egress25.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.egress25.cli.Main;
import org.egress25.decode.LinkType;
import org.egress25.decode.TestFrames;
import org.egress25.event.PacketEvent;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged captures (304 by default) through {@code egress25 replay}, as a hostile tester or a broken tap would
 * hand them over: cut at random offsets, random bytes, snaplen 0 and 2^31, caplen > len, unknown pcapng
 * blocks, odd link types, corrupt gzip, an empty file, random noise, a directory, a missing file and a FIFO.
 * Each must end within seconds with the documented exit code (README, "Exit codes": 0 read to its end, with
 * warnings in the summary; 1 stopped early, with one line saying where; 2 not a file to read) and never show a
 * stack trace or a Java exception name to the user. Seeded ({@code -Dsweep.seed}), so a failure replays.
 */
class MutatedCapturesTest
{
    /**
     * Mutated inputs per run ({@code -Dsweep.rounds} for more). Each replay runs in this JVM and leaves
     * about 2.5 MB behind after a full GC (an engine reference not yet found; a gateway runs one engine per
     * process), which the test JVM's 3 GB heap holds beside the rest of the suite.
     */
    private static final int ROUNDS = Integer.getInteger("sweep.rounds", 300);
    private static final long SECONDS = 1_764_290_000L;

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void shouldAnswerEveryDamagedCaptureWithTheDocumentedExitCodeAndNoStackTrace() throws Exception
    {
        final long seed = Long.getLong("sweep.seed", 17L);
        final Random random = new Random(seed);
        final List<byte[]> bases = List.of(pcap(ByteOrder.LITTLE_ENDIAN, false), pcap(ByteOrder.BIG_ENDIAN, true),
            pcapng(random, false), pcapng(random, true), TestCaptureWriter.gzip(pcap(ByteOrder.LITTLE_ENDIAN, false)));
        final Map<Integer, Integer> exits = new TreeMap<>();
        final Map<String, Integer> kinds = new TreeMap<>();
        int tried = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final String kind = Mutation.values()[round % Mutation.values().length].name().toLowerCase();
            final Path file = dir.resolve("m" + round + ".cap");
            Files.write(file, Mutation.values()[round % Mutation.values().length].apply(bases, random));
            exits.merge(check(file, "seed " + seed + " round " + round + " (" + kind + ")", 0, 1), 1, Integer::sum);
            kinds.merge(kind, 1, Integer::sum);
            tried++;
        }
        exits.merge(check(Files.write(dir.resolve("empty.pcap"), new byte[0]), "empty file", 1), 1, Integer::sum);
        exits.merge(check(Files.createDirectory(dir.resolve("a-directory")), "a directory", 2), 1, Integer::sum);
        exits.merge(check(dir.resolve("missing.pcap"), "a missing file", 2), 1, Integer::sum);
        exits.merge(fifo(bases.get(0), random), 1, Integer::sum);
        tried += 4;

        final long peakKb = peakRssKb();
        System.out.printf("mutated captures: %d inputs (%s), exit codes %s, peak RSS of the test JVM %d MB%n",
            tried, kinds, exits, peakKb / 1024);
        assertThat(exits.keySet()).as("every documented outcome happened, nothing else").containsExactly(0, 1, 2);
    }

    /** Replays {@code file}; asserts the exit code is one of {@code allowed} and the output is fit for a user. */
    private int check(final Path file, final String what, final int... allowed) throws Exception
    {
        final StringWriter err = new StringWriter();
        final CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.commandLine()
            .setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
            .execute("replay", file.toString(), "--quiet", "--inside", "10.0.0.0/8", "--ring-size", "256", "--max-hosts",
                "10000", "--max-connections", "10000", "--decisions",
                dir.resolve("decisions.jsonl").toString()));
        final int exit;
        try
        {
            exit = run.get(30, TimeUnit.SECONDS);
        }
        catch (final TimeoutException e)
        {
            throw new AssertionError(what + ": replay of " + file + " hangs", e);
        }
        final String output = err.toString();
        assertThat(Arrays.stream(allowed).boxed().toList()).as("%s: exit code, output:%n%s", what, output).contains(exit);
        assertThat(output).as(what).doesNotContain("\tat ").doesNotContain("Exception in thread")
            .doesNotContainPattern("java\\.[a-z]+\\.[A-Z]");
        if (exit != 0)
        {
            final String[] lines = output.strip().split("\n");
            assertThat(lines[lines.length - 1]).as("%s: the error, one line naming the file", what)
                .startsWith("egress25: ").contains(file.getFileName().toString()).doesNotEndWith("null");
        }
        return exit;
    }

    private int fifo(final byte[] capture, final Random random) throws Exception
    {
        final Path fifo = dir.resolve("capture.fifo");
        Shell.run("mkfifo", fifo.toString()).orThrow("mkfifo");
        final byte[] cut = Arrays.copyOf(capture, 24 + random.nextInt(capture.length - 24));
        final Thread writer = new Thread(() ->
        {
            try (OutputStream out = Files.newOutputStream(fifo))
            {
                out.write(cut);
            }
            catch (final IOException e)
            {
                // the reader gave up first: that is what the check below judges
            }
        }, "fifo-writer");
        writer.start();
        final int exit = check(fifo, "a FIFO cut at " + cut.length, 0, 1);
        writer.join(5000);
        return exit;
    }

    private enum Mutation
    {
        TRUNCATED
        {
            @Override
            byte[] apply(final List<byte[]> bases, final Random random)
            {
                final byte[] base = pick(bases, random);
                return Arrays.copyOf(base, random.nextInt(base.length));
            }
        },
        RANDOM_BYTES
        {
            @Override
            byte[] apply(final List<byte[]> bases, final Random random)
            {
                final byte[] copy = pick(bases, random).clone();
                for (int i = 1 + random.nextInt(16); i > 0; i--)
                {
                    copy[random.nextInt(copy.length)] = (byte)random.nextInt();
                }
                return copy;
            }
        },
        ODD_SNAPLEN
        {
            @Override
            byte[] apply(final List<byte[]> bases, final Random random)
            {
                final byte[] copy = bases.get(0).clone();
                TestFrames.put32(copy, 16, Integer.reverseBytes(random.nextBoolean() ? 0 : 0x8000_0000));
                return copy;
            }
        },
        ODD_LINK_TYPE
        {
            @Override
            byte[] apply(final List<byte[]> bases, final Random random)
            {
                final byte[] copy = bases.get(0).clone();
                final int[] odd = {0, 12, 14, 101, 108, 113, 147, 228, 229, 276, 0xffff, random.nextInt(65536)};
                TestFrames.put32(copy, 20, Integer.reverseBytes(odd[random.nextInt(odd.length)]));
                return copy;
            }
        },
        CAPLEN_OVER_LEN
        {
            @Override
            byte[] apply(final List<byte[]> bases, final Random random)
            {
                final byte[] copy = bases.get(0).clone();
                // the first record's wire length, below its capture length (or 0)
                TestFrames.put32(copy, 24 + 12, Integer.reverseBytes(random.nextInt(20)));
                return copy;
            }
        },
        UNKNOWN_BLOCKS
        {
            @Override
            byte[] apply(final List<byte[]> bases, final Random random)
            {
                return uncheck(() -> pcapng(random, random.nextBoolean()));
            }
        },
        CORRUPT_GZIP
        {
            @Override
            byte[] apply(final List<byte[]> bases, final Random random)
            {
                final byte[] copy = bases.get(4).clone();
                if (random.nextBoolean())
                {
                    return Arrays.copyOf(copy, 2 + random.nextInt(copy.length - 2));
                }
                for (int i = 1 + random.nextInt(8); i > 0; i--)
                {
                    copy[2 + random.nextInt(copy.length - 2)] = (byte)random.nextInt();
                }
                return copy;
            }
        },
        NOISE
        {
            @Override
            byte[] apply(final List<byte[]> bases, final Random random)
            {
                final byte[] noise = new byte[random.nextInt(4096)];
                random.nextBytes(noise);
                if (noise.length >= 4 && random.nextBoolean())
                {
                    // a believable start, so the noise reaches the record parsers
                    System.arraycopy(pick(bases, random), 0, noise, 0, Math.min(noise.length, 24));
                }
                return noise;
            }
        };

        abstract byte[] apply(List<byte[]> bases, Random random);

        private static byte[] pick(final List<byte[]> bases, final Random random)
        {
            return bases.get(random.nextInt(bases.size()));
        }
    }

    /** An SMTP dialogue that ends in a blocklist rejection, IPv4 and IPv6, one VLAN-tagged frame and some UDP. */
    private static List<byte[]> frames()
    {
        final List<byte[]> frames = new ArrayList<>();
        final String[] lines = {"220 mx.example ESMTP\r\n", "EHLO 10.1.0.9\r\n", "250 mx.example\r\n",
            "MAIL FROM:<a@example.org>\r\n", "550 5.7.1 Service unavailable; client blocked using zen.spamhaus.org\r\n"};
        for (int i = 0; i < lines.length; i++)
        {
            final boolean fromServer = i % 2 == 0;
            final byte[] tcp = TestFrames.tcp(fromServer ? 25 : 41_000, fromServer ? 41_000 : 25,
                TestFrames.ascii(lines[i]));
            frames.add(TestFrames.ethernet(0x0800, fromServer ? TestFrames.ipv4("198.18.0.1", "10.1.0.9", tcp)
                : TestFrames.ipv4("10.1.0.9", "198.18.0.1", tcp)));
        }
        frames.add(0, TestFrames.ethernet(0x0800, TestFrames.ipv4("10.1.0.9", "198.18.0.1",
            TestFrames.tcp(41_000, 25, PacketEvent.TCP_SYN, 0, new byte[0]))));
        frames.add(TestFrames.ethernet(0x86dd, TestFrames.ipv6("2001:db8::9", "2001:db8:1::25",
            TestFrames.tcp(41_001, 25, PacketEvent.TCP_SYN, 0, new byte[0]))));
        frames.add(TestFrames.ethernetTagged(new int[] {0x8100}, 0x0800, TestFrames.ipv4("10.1.0.10", "198.18.0.2",
            TestFrames.tcp(41_002, 25, PacketEvent.TCP_SYN, 0, new byte[0]))));
        frames.add(TestFrames.ethernet(0x0800, TestFrames.ipv4(17, "10.1.0.11", "192.0.2.53", 0, new byte[12])));
        return frames;
    }

    private static byte[] pcap(final ByteOrder order, final boolean nanos) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TestCaptureWriter writer = new TestCaptureWriter(bytes, order).pcapHeader(nanos, LinkType.ETHERNET, 65535);
        int i = 0;
        for (final byte[] frame : frames())
        {
            writer.pcapRecord(SECONDS + i, i * 1000L, frame);
            i++;
        }
        return bytes.toByteArray();
    }

    /** pcapng with blocks of random unknown types between the packets; {@code simple} adds simple packet blocks. */
    private static byte[] pcapng(final Random random, final boolean simple) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TestCaptureWriter writer = new TestCaptureWriter(bytes, random.nextBoolean() ? ByteOrder.BIG_ENDIAN
            : ByteOrder.LITTLE_ENDIAN).sectionHeader().interfaceDescription(LinkType.ETHERNET, 0, 9, 0);
        long units = SECONDS * 1_000_000_000L;
        for (final byte[] frame : frames())
        {
            if (random.nextInt(3) == 0)
            {
                writer.otherBlock(7 + random.nextInt(0x7fff_fff0), random.nextInt(64));
            }
            if (simple && random.nextBoolean())
            {
                writer.simplePacket(frame, frame.length);
            }
            else
            {
                writer.enhancedPacket(0, units, frame, frame.length);
            }
            units += 1_000_000L;
        }
        return bytes.toByteArray();
    }

    private interface Io<T>
    {
        T get() throws IOException;
    }

    private static <T> T uncheck(final Io<T> io)
    {
        try
        {
            return io.get();
        }
        catch (final IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long peakRssKb() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("VmHWM:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
