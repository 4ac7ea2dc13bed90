package org.egress25.smtp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.egress25.analysis.Analyser;
import org.egress25.capture.CaptureFileReader;
import org.egress25.decode.DecodeStatus;
import org.egress25.decode.FrameDecoder;
import org.egress25.event.PacketEvent;
import org.egress25.policy.BlockLadder;
import org.egress25.host.Cidr;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.SmtpRules;
import org.egress25.policy.SprtRules;

/**
 * Test-only replay of capture files through an analyser: the project's {@link CaptureFileReader} and
 * {@link FrameDecoder}, then the pipeline's orientation rule (an inside client talking to an SMTP port),
 * so the SMTP analyser is tested on the shared captures exactly as the pipeline will feed it.
 */
final class TestCapture
{
    /** The shared SMTP captures; fails the calling test, naming the path tried, when they are missing. */
    static Path captures()
    {
        return org.egress25.testing.SharedData.smtpCaptures();
    }

    private TestCapture()
    {
    }

    /** Every address inside, detect-then-block, default SMTP rules, SMTP ports 25, 465, 587 and 2525. */
    static Policy policy()
    {
        return policy(SmtpRules.defaults());
    }

    static Policy policy(final SmtpRules rules)
    {
        final HostClass all = new HostClass("everyone", Port25Mode.DETECT_THEN_BLOCK,
            List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")), List.of());
        return Policy.builder().classes(List.of(all)).synTimeout(Duration.ofSeconds(30))
            .ladder(new BlockLadder(List.of(Duration.ofMinutes(10), Duration.ofHours(1)), Duration.ofDays(1)))
            .smtp(rules).sprt(SprtRules.defaults()).sourceDescription("test").hash("test").build();
    }

    /**
     * Replays a capture file through the analyser with the real reader and decoder, ticking after each
     * packet and ending at the last one; returns the number of packets read.
     */
    static int replay(final Path file, final Policy policy, final Analyser analyser) throws IOException
    {
        final PacketEvent e = PacketEvent.factory(PacketEvent.MAX_FRAME).newInstance();
        final FrameDecoder decoder = new FrameDecoder();
        int packets = 0;
        long last = 0;
        try (CaptureFileReader reader = CaptureFileReader.open(file))
        {
            while (reader.next(e))
            {
                packets++;
                decoder.decode(e);
                if (e.status == DecodeStatus.OK)
                {
                    direct(e, policy);
                    if (e.direction != PacketEvent.DIR_NONE)
                    {
                        analyser.onSegment(e);
                    }
                }
                analyser.onTick(e.timestampNanos);
                last = e.timestampNanos;
            }
        }
        analyser.onEnd(last);
        return packets;
    }

    /** The direction stage: client to an SMTP port is outbound when the client is inside. */
    static void direct(final PacketEvent e, final Policy policy)
    {
        if (policy.isSmtpPort(e.dstPort) && policy.classify(e.srcHi, e.srcLo) != null)
        {
            e.direction = PacketEvent.DIR_OUTBOUND;
            e.hostClass = policy.classify(e.srcHi, e.srcLo);
        }
        else if (policy.isSmtpPort(e.srcPort) && policy.classify(e.dstHi, e.dstLo) != null)
        {
            e.direction = PacketEvent.DIR_INBOUND;
            e.hostClass = policy.classify(e.dstHi, e.dstLo);
        }
    }
}
