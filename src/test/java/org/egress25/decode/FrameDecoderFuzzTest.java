package org.egress25.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.egress25.decode.TestFrames.concat;
import static org.egress25.decode.TestFrames.ethernet;
import static org.egress25.decode.TestFrames.ethernetTagged;
import static org.egress25.decode.TestFrames.extension;
import static org.egress25.decode.TestFrames.ipv4;
import static org.egress25.decode.TestFrames.ipv6;
import static org.egress25.decode.TestFrames.tcp;

import java.util.Random;
import org.egress25.event.PacketEvent;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames never make the decoder throw, and whatever it reports stays inside the capture:
 * the analysers index {@code frame[payloadOffset .. payloadOffset + payloadLength)} without checking again.
 */
class FrameDecoderFuzzTest
{
    private static final int ROUNDS = 60_000;
    private static final int[] LINK_TYPES = {
        LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP, LinkType.RAW,
        LinkType.DLT_RAW_BSD, LinkType.IPV4, LinkType.IPV6, 9999
    };

    private final FrameDecoder decoder = new FrameDecoder();
    private final int[] seen = new int[DecodeStatus.COUNT];

    private static byte[][] templates()
    {
        final byte[] segment = tcp(40000, 25, PacketEvent.TCP_ACK, 12, TestFrames.ascii("RCPT TO:<b@example.net>\r\n"));
        final byte[] v4 = ipv4(6, "10.0.0.1", "10.0.0.2", 8, segment);
        final byte[] v6 = ipv6(0, "2001:db8::1", "2001:db8::2",
            concat(extension(44, 8), TestFrames.fragmentHeader(51, 0, true), TestFrames.authenticationHeader(6, 16), segment));
        return new byte[][] {
            ethernet(0x0800, v4),
            ethernetTagged(new int[] {0x88a8, 0x8100}, 0x86dd, v6),
            TestFrames.sll(0x0800, v4),
            TestFrames.sll2(0x86dd, v6),
            TestFrames.loopback(2, false, v4),
            TestFrames.loopback(30, true, v6),
            v4,
            v6,
        };
    }

    private static final int[] TEMPLATE_LINKS = {
        LinkType.ETHERNET, LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP,
        LinkType.RAW, LinkType.RAW
    };

    @Test
    void shouldNeverThrowOrPointOutsideTheCaptureOnRandomFrames()
    {
        final Random random = new Random(0x25_25_25L);
        final PacketEvent e = PacketEvent.factory(1600).newInstance();
        for (int round = 0; round < ROUNDS; round++)
        {
            final int length = random.nextInt(e.frame.length + 1);
            random.nextBytes(e.frame);
            e.linkType = LINK_TYPES[random.nextInt(LINK_TYPES.length)];
            e.captureLength = length;
            decodeAndCheck(e, round);
        }
    }

    @Test
    void shouldNeverThrowOrPointOutsideTheCaptureOnMutatedFrames()
    {
        final Random random = new Random(0x5e9_25L);
        final byte[][] templates = templates();
        final PacketEvent e = PacketEvent.factory(256).newInstance();
        for (int round = 0; round < ROUNDS; round++)
        {
            final int which = random.nextInt(templates.length);
            final byte[] template = templates[which];
            System.arraycopy(template, 0, e.frame, 0, template.length);
            final int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++)
            {
                // bias mutations towards the headers, where the length fields live
                final int at = random.nextInt(Math.min(template.length, 120));
                e.frame[at] = random.nextInt(3) == 0 ? (byte)random.nextInt(16) : (byte)random.nextInt(256);
            }
            e.linkType = TEMPLATE_LINKS[which];
            e.captureLength = random.nextInt(4) == 0 ? random.nextInt(template.length + 1) : template.length;
            decodeAndCheck(e, round);
        }
        // the mutations must reach deep enough to exercise every outcome the headers can produce
        for (final int status : new int[] {
            DecodeStatus.OK, DecodeStatus.NOT_TCP, DecodeStatus.FRAGMENT, DecodeStatus.TRUNCATED_IP,
            DecodeStatus.BAD_IP_VERSION, DecodeStatus.BAD_IP_HEADER_LENGTH, DecodeStatus.BAD_IP_TOTAL_LENGTH,
            DecodeStatus.TRUNCATED_IPV6_EXTENSION, DecodeStatus.TRUNCATED_TCP, DecodeStatus.BAD_TCP_DATA_OFFSET})
        {
            assertThat(seen[status]).as(DecodeStatus.label(status)).isPositive();
        }
    }

    private void decodeAndCheck(final PacketEvent e, final int round)
    {
        decoder.decode(e);
        seen[e.status]++;
        if (e.payloadOffset < 0 || e.payloadLength < 0 || e.payloadOffset + e.payloadLength > e.captureLength)
        {
            throw new AssertionError("round " + round + ": payload [" + e.payloadOffset + ", +" + e.payloadLength
                + ") outside capture " + e.captureLength + " with status " + DecodeStatus.label(e.status));
        }
        if (e.status == DecodeStatus.OK && (e.payloadWireLength < e.payloadLength || (e.ipVersion != 4 && e.ipVersion != 6)))
        {
            throw new AssertionError("round " + round + ": ok but wire length " + e.payloadWireLength
                + " < captured " + e.payloadLength + " or ip version " + e.ipVersion);
        }
    }
}
