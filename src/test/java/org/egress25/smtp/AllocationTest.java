package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.egress25.event.PacketEvent;
import org.junit.jupiter.api.Test;

/**
 * The per-segment path allocates nothing: a long pipelined dialogue (MAIL, RCPT, a refused RCPT, DATA with a
 * body, RSET, each segment answered) is replayed over one connection and the thread's allocation counter
 * must not move, after a warm-up that lets the JIT settle and fills the per-session tables to their caps.
 */
class AllocationTest
{
    private static final byte[] CLIENT = ("MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"
        + "RCPT TO:<c@example.net>\r\nDATA\r\nSubject: s\r\n\r\nbody line\r\n.\r\nRSET\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER = ("250 ok\r\n250 ok\r\n550 5.1.1 user unknown\r\n354 go\r\n250 queued\r\n"
        + "250 flushed\r\n").getBytes(StandardCharsets.US_ASCII);

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldAllocateNothingPerSegmentOnceASessionIsRunning()
    {
        final Harness h = new Harness();
        final Wire.Conn c = h.wire.connect("10.0.0.1", 40000, "192.0.2.1", 25);
        c.server("220 mx\r\n").client("EHLO a.example.org\r\n").server("250 ok\r\n");
        final int flags = PacketEvent.TCP_ACK | PacketEvent.TCP_PSH;
        long clientSeq = c.clientSeq;
        long serverSeq = c.serverSeq;
        final int warmUp = 50_000;
        final int measured = 200_000;
        long before = 0;
        long startNanos = 0;
        for (int i = 0; i < warmUp + measured; i++)
        {
            if (i == warmUp)
            {
                before = allocatedBytes();
                startNanos = System.nanoTime();
            }
            // Client turn in two segments, split mid-line; server turn in one.
            c.segment(true, clientSeq, serverSeq, flags, CLIENT, 0, 37);
            c.segment(true, clientSeq + 37, serverSeq, flags, CLIENT, 37, CLIENT.length - 37);
            clientSeq = (clientSeq + CLIENT.length) & 0xffff_ffffL;
            c.segment(false, serverSeq, clientSeq, flags, SERVER, 0, SERVER.length);
            serverSeq = (serverSeq + SERVER.length) & 0xffff_ffffL;
        }
        final long allocated = allocatedBytes() - before;
        final long elapsed = System.nanoTime() - startNanos;
        final long segments = 3L * measured;
        System.out.printf("SMTP analyser: %d segments, %d bytes allocated, %.0f ns per segment (with the test's event filling)%n",
            segments, allocated, (double)elapsed / segments);
        assertThat(h.records).isEmpty();
        assertThat(h.analyser.commands(Verb.RCPT)).isEqualTo(2L * (warmUp + measured));
        // A few hundred bytes of slack for the JVM's own bookkeeping during the run; 600k segments that
        // allocated even 8 bytes each would show 4.8 MB here.
        assertThat(allocated).isLessThan(4096);
    }
}
