package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.analysis.Analyser;
import org.egress25.pipeline.AnalysisStage;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.event.PacketEvent;
import org.egress25.policy.Policy;
import org.egress25.testing.Heap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A spoofed-source flood through the whole analysis stage (rate analyser, sequential test, SMTP analyser, as
 * {@code run} and {@code replay} wire them): a million distinct IPv4 and a million distinct IPv6 inside
 * addresses each send one SYN to port 25 that nothing answers, 50,000 a second, with two real spambots among
 * them whose servers name them on a blocklist. Run in a child JVM with a 640 MiB heap: the stage stays under
 * the 400 MiB a million rate-table hosts are held to (123 MiB measured: the rate table at its million-host
 * cap, SMTP connections that never grow buffers for bare SYNs, no pattern state for sources that never
 * talked), and both bots are blocked. About 8 s of CPU.
 */
class SpoofedSourceFloodTest
{
    private static final int PER_FAMILY = 1_000_000;
    private static final String BOT4 = "172.16.1.1";
    private static final String BOT6 = "2001:db8:ffff::25";

    private static void botSession(final Wire wire, final String bot, final int port)
    {
        final Wire.Conn c = wire.connect(bot, port, "198.51.100." + (1 + port % 200), 25);
        c.server("554 5.7.1 Client host [" + bot + "] blocked using zen.spamhaus.org\r\n").client("QUIT\r\n")
            .server("221 bye\r\n").finBoth();
    }

    /** Runs the flood; prints the figures {@link #shouldBlockRealSpambotsInAFloodOfMillionsOfSpoofedSources} reads. */
    public static void main(final String[] args)
    {
        final Policy policy = TestCapture.policy();
        final List<Decision> decisions = new ArrayList<>();
        final AnalysisStage stage = AnalysisStage.build(() -> policy, new Verdicts(decisions::add, policy.ladder()),
            null, 1_000_000, 262_144, true);
        final Analyser all = new Analyser()
        {
            @Override
            public void onSegment(final PacketEvent e)
            {
                for (final Analyser a : stage.all())
                {
                    a.onSegment(e);
                }
            }

            @Override
            public void onTick(final long nowNanos)
            {
                for (final Analyser a : stage.all())
                {
                    a.onTick(nowNanos);
                }
            }

            @Override
            public void onEnd(final long nowNanos)
            {
                for (final Analyser a : stage.all())
                {
                    a.onEnd(nowNanos);
                }
            }
        };
        final Wire wire = new Wire(all, policy);
        final long started = System.nanoTime();
        final long stepNanos = 1_000_000_000L / 50_000;
        for (int n = 0; n < 2 * PER_FAMILY; n++)
        {
            final int k = n / 2;
            final String from = n % 2 == 0
                ? "10." + (k >>> 16 & 0xff) + "." + (k >>> 8 & 0xff) + "." + (k & 0xff)
                : "2001:db8:" + Integer.toHexString(k >>> 16) + ":" + Integer.toHexString(k & 0xffff) + "::1";
            wire.pickUp(from, 1024 + k % 60_000, "192.0.2." + (1 + k % 250), 25)
                .segment(true, 7_000 + n, 0, PacketEvent.TCP_SYN, null, 0, 0);
            wire.nowNanos += stepNanos;
            if (n % 200_000 == 100_000)
            {
                botSession(wire, BOT4, 30_000 + n / 200_000);
                botSession(wire, BOT6, 30_000 + n / 200_000);
            }
        }
        final long used = Heap.usedAfterGc();
        all.onEnd(wire.nowNanos);
        final long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        System.out.println("blocked=" + decisions.stream().filter(d -> d.action() == Action.BLOCK).map(Decision::host)
            .distinct().sorted().toList() + " rateHosts=" + stage.rate().stats().trackedHosts() + " emptySessions="
            + stage.smtp().emptySessions() + " evicted=" + stage.smtp().capHits(Cap.HALF_OPEN_EVICTED) + " usedMiB="
            + used / (1024 * 1024) + " seconds=" + seconds);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldBlockRealSpambotsInAFloodOfMillionsOfSpoofedSources() throws IOException, InterruptedException
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process process = new ProcessBuilder(java.toString(), "-Xmx640m", "-XX:+UseSerialGC",
            "-cp", System.getProperty("java.class.path"), SpoofedSourceFloodTest.class.getName())
            .redirectErrorStream(true)
            .start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(230, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("blocked=[" + BOT4 + ", " + BOT6 + "]");
        assertThat(Long.parseLong(output.replaceAll("(?s).*evicted=(\\d+).*", "$1"))).as(output).isPositive();
        final long usedMiB = Long.parseLong(output.replaceAll("(?s).*usedMiB=(\\d+).*", "$1"));
        // the bound RateAnalyserFootprintTest holds a million rate-table hosts to; 123 MiB measured here
        assertThat(usedMiB).as(output).isLessThan(400L);
    }
}
