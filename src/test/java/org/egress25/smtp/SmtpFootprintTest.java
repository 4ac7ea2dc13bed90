package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.egress25.host.Action;
import org.egress25.testing.Heap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link SmtpLimits} promises about memory, measured in a child JVM with a heap limit (as the rate table
 * is in {@code RateAnalyserFootprintTest}): the per-host estimate the byte bound works from agrees with the
 * heap, ordinary hosts cost about 2.5 KB each, and hosts that spray recipient domains past every cap cost no
 * more than the byte bound, while a spambot among them is still blocked.
 */
class SmtpFootprintTest
{
    private static String host(final int n)
    {
        return "10." + (n >>> 16 & 0xff) + "." + (n >>> 8 & 0xff) + "." + (n & 0xff);
    }

    /** One pipelined session of {@code host}: EHLO, MAIL, the recipients (domains {@code tag}-0 up), QUIT. */
    private static void session(final Wire wire, final String host, final int port, final String tag,
        final int recipients)
    {
        final Wire.Conn c = wire.connect(host, port, "192.0.2.1", 25);
        final StringBuilder commands = new StringBuilder("EHLO mail.example.org\r\nMAIL FROM:<a@example.org>\r\n");
        final StringBuilder replies = new StringBuilder("250 mx\r\n250 ok\r\n");
        for (int r = 0; r < recipients; r++)
        {
            commands.append("RCPT TO:<u@").append(tag).append('-').append(r).append(".example>\r\n");
            replies.append("250 ok\r\n");
        }
        c.server("220 mx ESMTP\r\n").clientSplit(commands.toString().getBytes(StandardCharsets.US_ASCII), 1_400);
        c.serverSplit(replies.toString().getBytes(StandardCharsets.US_ASCII), 1_400);
        c.client("QUIT\r\n").server("221 bye\r\n").finBoth();
    }

    /**
     * {@code ordinary N}: N hosts with one two-recipient session each. {@code spraying N BYTES}: N hosts that each
     * send 42 sessions of 100 new recipient domains, under a byte bound of BYTES, then a spambot named on a
     * blocklist. Prints what the heap and the estimate say.
     */
    public static void main(final String[] args)
    {
        final boolean spraying = args[0].equals("spraying");
        final int hosts = Integer.parseInt(args[1]);
        final SmtpLimits d = SmtpLimits.defaults();
        final SmtpLimits limits = new SmtpLimits(d.maxConnections(), d.maxConnectionsPerHost(), d.maxLineLength(),
            d.reorderBytes(), d.reorderSegments(), d.idleTimeout(), d.maxTransactions(), d.maxRecipients(),
            d.addressBytes(), d.maxPipelined(), d.maxPatternHosts(), Duration.ofDays(1),
            spraying ? Long.parseLong(args[2]) : d.maxPatternBytes());
        final Harness h = new Harness(TestCapture.policy(), limits, false);
        // a first host, so the slot and the detectors' shared state exist before the baseline
        session(h.wire, "172.16.0.1", 1024, "warm", 2);
        final long before = Heap.usedAfterGc();
        final long accountedBefore = h.analyser.patternBytes();
        for (int n = 0; n < hosts; n++)
        {
            final String host = host(n + 1);
            for (int s = 0; s < (spraying ? 42 : 1); s++)
            {
                session(h.wire, host, 1025 + s, spraying ? "d" + n + "-" + s : "example", spraying ? 100 : 2);
                h.wire.advanceMillis(1);
            }
        }
        final String bot = "172.16.9.9";
        final Wire.Conn c = h.wire.connect(bot, 2000, "192.0.2.1", 25);
        c.server("554 5.7.1 Client host [" + bot + "] blocked using zen.spamhaus.org\r\n").client("QUIT\r\n")
            .server("221 bye\r\n").finBoth();
        final long after = Heap.usedAfterGc();
        final boolean blocked = h.decisions.stream().anyMatch(x -> x.host().equals(bot) && x.action() == Action.BLOCK);
        System.out.println("tracked=" + h.analyser.patternHosts() + " measuredBytes=" + (after - before)
            + " accountedBytes=" + (h.analyser.patternBytes() - accountedBefore) + " shed="
            + h.analyser.capHits(Cap.PATTERN_BYTES) + " botBlocked=" + blocked + " usedMiB=" + after / (1024 * 1024));
    }

    private static String child(final String heap, final String... args) throws IOException, InterruptedException
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final String[] command = new String[6 + args.length];
        command[0] = java.toString();
        command[1] = heap;
        command[2] = "-XX:+UseSerialGC";
        command[3] = "-cp";
        command[4] = System.getProperty("java.class.path");
        command[5] = SmtpFootprintTest.class.getName();
        System.arraycopy(args, 0, command, 6, args.length);
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(100, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static long field(final String output, final String name)
    {
        return Long.parseLong(output.replaceAll("(?s).*" + name + "=(\\d+).*", "$1"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCostAboutTheDocumentedBytesForOrdinaryHosts() throws IOException, InterruptedException
    {
        final String output = child("-Xmx256m", "ordinary", "50000");
        assertThat(field(output, "tracked")).as(output).isEqualTo(50_002);
        final long measured = field(output, "measuredBytes") / 50_000;
        final long accounted = field(output, "accountedBytes") / 50_000;
        // the estimate the byte bound works from is within a fifth of the heap, and near the documented 2.5 KB
        assertThat(accounted).as(output).isBetween(measured * 4 / 5, measured * 6 / 5);
        assertThat(measured).as(output).isBetween(2_000L, 3_200L);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldHoldSprayingHostsWithinTheByteBoundAndStillBlockASpambot() throws IOException, InterruptedException
    {
        final long bound = 24L << 20;
        // 120 hosts at about 330 KB each would need 40 MB: more than the bound, less than the heap
        final String output = child("-Xmx96m", "spraying", "120", Long.toString(bound));
        assertThat(field(output, "shed")).as(output).isPositive();
        assertThat(field(output, "accountedBytes")).as(output).isLessThanOrEqualTo(bound);
        assertThat(field(output, "measuredBytes")).as(output).isLessThan(bound * 6 / 5);
        assertThat(field(output, "tracked")).as(output).isBetween(60L, 119L);
        assertThat(output).contains("botBlocked=true");
    }
}
