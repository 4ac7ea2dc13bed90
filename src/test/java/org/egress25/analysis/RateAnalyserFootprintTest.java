package org.egress25.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.egress25.analysis.Traffic.T0;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.egress25.policy.Port25Mode;
import org.egress25.testing.Heap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What README.md's "Memory" promises about resources: bytes per host, a million hosts in 512 MB, no allocation
 * per packet.
 */
class RateAnalyserFootprintTest
{
    private static final int MILLION = 1_000_000;

    /** Feeds one segment between inside host 10.x.y.z and server 198.18.x.y, port 25, without allocating. */
    static void segment(final RateAnalyser analyser, final PacketEvent e, final int direction, final int flags,
        final int host, final int clientPort, final int server, final long nanos)
    {
        final long inside = Addresses.IPV4_MAPPED_PREFIX | 0x0a00_0000L | (host & 0xff_ffff);
        final long outside = Addresses.IPV4_MAPPED_PREFIX | 0xc612_0000L | (server & 0xffff);
        final boolean outbound = direction == PacketEvent.DIR_OUTBOUND;
        e.direction = direction;
        e.timestampNanos = nanos;
        e.srcHi = 0;
        e.srcLo = outbound ? inside : outside;
        e.dstHi = 0;
        e.dstLo = outbound ? outside : inside;
        e.srcPort = outbound ? clientPort : 25;
        e.dstPort = outbound ? 25 : clientPort;
        e.tcpFlags = flags;
        analyser.onSegment(e);
        analyser.onTick(nanos);
    }

    static void syn(final RateAnalyser analyser, final PacketEvent e, final int host, final int clientPort,
        final int server, final long nanos)
    {
        segment(analyser, e, PacketEvent.DIR_OUTBOUND, PacketEvent.TCP_SYN, host, clientPort, server, nanos);
    }

    /** Fills a million hosts; run by {@link #shouldTrackAMillionHostsWithinA512MegabyteHeap} in its own JVM. */
    public static void main(final String[] args)
    {
        final Traffic traffic = new Traffic(Traffic.policy(Port25Mode.DETECT_THEN_BLOCK, Traffic.DEFAULTS), MILLION,
            262_144);
        final long before = Heap.usedAfterGc();
        final PacketEvent e = traffic.event;
        for (int n = 0; n < MILLION; n++)
        {
            syn(traffic.analyser, e, n, 40000, n % 1000, T0 + n * 1000L);
        }
        traffic.analyser.onEnd(T0 + MILLION * 1000L);
        final long after = Heap.usedAfterGc();
        System.out.println("tracked=" + traffic.analyser.stats().trackedHosts() + " bytesPerHost="
            + (after - before) / MILLION + " usedMiB=" + after / (1024 * 1024) + " strideBytes="
            + traffic.analyser.bytesPerHost());
    }

    @Test
    void shouldCostTheDocumentedBytesPerHostByTheStrides()
    {
        final Traffic traffic = new Traffic(Traffic.policy(Port25Mode.DETECT_THEN_BLOCK, Traffic.DEFAULTS), MILLION,
            1024);

        // the index is 2^21 ints for up to 10^6 rows: 8.4 bytes a row, of which the stride count keeps 8
        assertThat(traffic.analyser.bytesPerHost()).isEqualTo(RateAnalyser.DEFAULT_BYTES_PER_HOST).isEqualTo(236);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldTrackAMillionHostsWithinA512MegabyteHeap() throws IOException, InterruptedException
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process process = new ProcessBuilder(java.toString(), "-Xmx512m", "-XX:+UseG1GC",
            "-cp", System.getProperty("java.class.path"), RateAnalyserFootprintTest.class.getName())
            .redirectErrorStream(true)
            .start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(110, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("tracked=1000000 ");
        final long measured = Long.parseLong(output.replaceAll("(?s).*bytesPerHost=(\\d+).*", "$1"));
        // host rows (236 B by the strides) plus what the connection table and SYN deadline queue grew to for
        // the 262,144 connections this run keeps open (~25 + ~11 MB, since both grow with use, not up front)
        assertThat(measured).as(output).isBetween(200L, 300L);
        final long usedMiB = Long.parseLong(output.replaceAll("(?s).*usedMiB=(\\d+).*", "$1"));
        assertThat(usedMiB).as(output).isLessThan(400L);
    }

    private static void rounds(final RateAnalyser analyser, final PacketEvent e, final int from, final int to,
        final long[] now)
    {
        for (int round = from; round < to; round++)
        {
            for (int host = 1; host <= 1000; host++)
            {
                final int port = 40000 + round;
                final long at = now[0] += 30_000_000L;
                syn(analyser, e, host, port, 1, at);
                segment(analyser, e, PacketEvent.DIR_INBOUND, PacketEvent.TCP_SYN | PacketEvent.TCP_ACK, host, port, 1,
                    at + 1_000_000L);
                segment(analyser, e, PacketEvent.DIR_OUTBOUND, PacketEvent.TCP_FIN | PacketEvent.TCP_ACK, host, port,
                    1, at + 2_000_000L);
                syn(analyser, e, 0, 1024 + (round * 1000 + host) % 60_000, host, at + 3_000_000L);
            }
        }
    }

    @Test
    void shouldNotAllocatePerPacketOnceHostsAreKnown()
    {
        final Traffic traffic = new Traffic();
        final RateAnalyser analyser = traffic.analyser;
        final PacketEvent e = traffic.event;
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long[] now = {T0};
        // warm up: 1000 quiet hosts sending a mail every 30 s, and one spammer, which gets blocked and flagged
        rounds(analyser, e, 0, 20, now);
        // the spammer's unanswered SYNs: an alert per volume detector, then the block once they time out
        assertThat(traffic.decisions).extracting(d -> d.host() + " " + d.action().label())
            .containsExactly("10.0.0.0 alert", "10.0.0.0 alert", "10.0.0.0 alert", "10.0.0.0 block");

        final long threadId = Thread.currentThread().threadId();
        final long before = threads.getThreadAllocatedBytes(threadId);
        rounds(analyser, e, 20, 70, now);
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        // 200,000 segments and ticks; a single boxed long or map entry per packet would be megabytes
        assertThat(allocated).isLessThan(10_000);
        assertThat(traffic.decisions).hasSize(4);
    }
}
