package org.egress25.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.egress25.decode.TestFrames.ascii;
import static org.egress25.decode.TestFrames.concat;
import static org.egress25.decode.TestFrames.ethernet;
import static org.egress25.decode.TestFrames.ethernetTagged;
import static org.egress25.decode.TestFrames.event;
import static org.egress25.decode.TestFrames.extension;
import static org.egress25.decode.TestFrames.ipv4;
import static org.egress25.decode.TestFrames.ipv6;
import static org.egress25.decode.TestFrames.tcp;

import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.junit.jupiter.api.Test;

class FrameDecoderTest
{
    private static final String CLIENT4 = "192.0.2.10";
    private static final String SERVER4 = "198.51.100.25";
    private static final String CLIENT6 = "2001:db8::10";
    private static final String SERVER6 = "2001:db8:ffff::25";
    private static final byte[] MAIL = ascii("MAIL FROM:<a@example.com>\r\n");

    private final FrameDecoder decoder = new FrameDecoder();

    private static byte[] tcp4()
    {
        return ipv4(CLIENT4, SERVER4, tcp(40000, 25, MAIL));
    }

    private static byte[] tcp6()
    {
        return ipv6(CLIENT6, SERVER6, tcp(40000, 25, MAIL));
    }

    private PacketEvent decode(final int linkType, final byte[] frame)
    {
        final PacketEvent e = event(linkType, frame);
        decoder.decode(e);
        return e;
    }

    private static void assertTcp4(final PacketEvent e, final int headerBytes)
    {
        assertTcp(e, 4, CLIENT4, SERVER4, headerBytes);
    }

    private static void assertTcp6(final PacketEvent e, final int headerBytes)
    {
        assertTcp(e, 6, CLIENT6, SERVER6, headerBytes);
    }

    private static void assertTcp(
        final PacketEvent e, final int version, final String client, final String server, final int headerBytes)
    {
        assertThat(DecodeStatus.label(e.status)).isEqualTo("ok");
        assertThat(e.ipVersion).isEqualTo(version);
        assertThat(new long[] {e.srcHi, e.srcLo}).isEqualTo(Addresses.parse(client));
        assertThat(new long[] {e.dstHi, e.dstLo}).isEqualTo(Addresses.parse(server));
        assertSegment(e, headerBytes);
    }

    private static void assertSegment(final PacketEvent e, final int headerBytes)
    {
        assertThat(e.srcPort).isEqualTo(40000);
        assertThat(e.dstPort).isEqualTo(25);
        assertThat(e.tcpFlags).isEqualTo(PacketEvent.TCP_ACK | PacketEvent.TCP_PSH);
        assertThat(e.tcpSeq).isEqualTo(0xf000_0001L);
        assertThat(e.tcpAck).isEqualTo(0x8000_0002L);
        assertThat(e.tcpWindow).isEqualTo(0xfedc);
        assertThat(e.payloadOffset).isEqualTo(headerBytes);
        assertThat(e.payloadLength).isEqualTo(MAIL.length);
        assertThat(e.payloadWireLength).isEqualTo(MAIL.length);
        assertThat(new String(e.frame, e.payloadOffset, e.payloadLength, java.nio.charset.StandardCharsets.US_ASCII))
            .isEqualTo("MAIL FROM:<a@example.com>\r\n");
    }

    @Test
    void shouldDecodeTcpOverIpv4OverEthernet()
    {
        assertTcp4(decode(LinkType.ETHERNET, ethernet(0x0800, tcp4())), 14 + 20 + 20);
    }

    @Test
    void shouldDecodeTcpOverIpv6OverEthernet()
    {
        assertTcp6(decode(LinkType.ETHERNET, ethernet(0x86dd, tcp6())), 14 + 40 + 20);
    }

    @Test
    void shouldFollowOneVlanTag()
    {
        assertTcp4(decode(LinkType.ETHERNET, ethernetTagged(new int[] {0x8100}, 0x0800, tcp4())), 18 + 40);
    }

    @Test
    void shouldFollowQinQTagsOfEveryKind()
    {
        assertTcp6(decode(LinkType.ETHERNET, ethernetTagged(new int[] {0x88a8, 0x8100}, 0x86dd, tcp6())), 22 + 60);
        assertTcp4(decode(LinkType.ETHERNET, ethernetTagged(new int[] {0x9100, 0x8100}, 0x0800, tcp4())), 22 + 40);
        assertTcp4(
            decode(LinkType.ETHERNET, ethernetTagged(new int[] {0x88a8, 0x9100, 0x8100, 0x8100}, 0x0800, tcp4())),
            30 + 40);
    }

    @Test
    void shouldRejectMoreStackedTagsThanAnyRealNetworkUses()
    {
        final PacketEvent e = decode(
            LinkType.ETHERNET, ethernetTagged(new int[] {0x88a8, 0x8100, 0x8100, 0x8100, 0x8100}, 0x0800, tcp4()));
        assertThat(e.status).isEqualTo(DecodeStatus.TOO_MANY_HEADERS);
    }

    @Test
    void shouldDecodeLinuxCookedV1AndV2()
    {
        assertTcp4(decode(LinkType.LINUX_SLL, TestFrames.sll(0x0800, tcp4())), 16 + 40);
        assertTcp6(decode(LinkType.LINUX_SLL, TestFrames.sll(0x86dd, tcp6())), 16 + 60);
        assertTcp4(decode(LinkType.LINUX_SLL2, TestFrames.sll2(0x0800, tcp4())), 20 + 40);
        assertTcp6(decode(LinkType.LINUX_SLL2, TestFrames.sll2(0x86dd, tcp6())), 20 + 60);
    }

    @Test
    void shouldFollowAVlanTagThatLinuxCookedLeftInPlace()
    {
        final byte[] tag = {0, 100, 0x08, 0x00};
        assertTcp4(decode(LinkType.LINUX_SLL, TestFrames.sll(0x8100, concat(tag, tcp4()))), 20 + 40);
    }

    @Test
    void shouldDecodeBsdLoopbackInEitherByteOrder()
    {
        for (final boolean bigEndian : new boolean[] {false, true})
        {
            assertTcp4(decode(LinkType.NULL, TestFrames.loopback(2, bigEndian, tcp4())), 4 + 40);
            for (final int af6 : new int[] {24, 28, 30})
            {
                assertTcp6(decode(LinkType.NULL, TestFrames.loopback(af6, bigEndian, tcp6())), 4 + 60);
            }
        }
    }

    @Test
    void shouldDecodeOpenBsdLoopbackInNetworkOrderOnly()
    {
        assertTcp4(decode(LinkType.LOOP, TestFrames.loopback(2, true, tcp4())), 4 + 40);
        assertTcp6(decode(LinkType.LOOP, TestFrames.loopback(24, true, tcp6())), 4 + 60);
        assertThat(decode(LinkType.LOOP, TestFrames.loopback(2, false, tcp4())).status).isEqualTo(DecodeStatus.NOT_TCP);
    }

    @Test
    void shouldSkipLoopbackFramesOfOtherFamilies()
    {
        assertThat(decode(LinkType.NULL, TestFrames.loopback(7, false, tcp4())).status).isEqualTo(DecodeStatus.NOT_TCP);
    }

    @Test
    void shouldLetTheVersionNibbleDecideOnEveryRawLinkType()
    {
        for (final int link : new int[] {LinkType.RAW, LinkType.DLT_RAW_BSD, LinkType.DLT_RAW_OPENBSD, LinkType.IPV4, LinkType.IPV6})
        {
            assertTcp4(decode(link, tcp4()), 40);
            assertTcp6(decode(link, tcp6()), 60);
            final byte[] badVersion = tcp4();
            badVersion[0] = 0x55;
            assertThat(decode(link, badVersion).status).isEqualTo(DecodeStatus.BAD_IP_VERSION);
        }
    }

    @Test
    void shouldReportUnknownLinkTypesAsUnsupported()
    {
        assertThat(decode(105, tcp4()).status).isEqualTo(DecodeStatus.UNSUPPORTED_LINK);
    }

    @Test
    void shouldSkipNonIpAndNonTcpAsNotOurs()
    {
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0806, new byte[28])).status).isEqualTo(DecodeStatus.NOT_TCP);
        final PacketEvent udp = decode(LinkType.ETHERNET, ethernet(0x0800, ipv4(17, CLIENT4, SERVER4, 0, new byte[16])));
        assertThat(udp.status).isEqualTo(DecodeStatus.NOT_TCP);
        assertThat(udp.ipVersion).isEqualTo(4);
        assertThat(decode(LinkType.RAW, ipv6(58, CLIENT6, SERVER6, new byte[8])).status).isEqualTo(DecodeStatus.NOT_TCP);
    }

    @Test
    void shouldTrimEthernetPaddingFromABareSyn()
    {
        final byte[] syn = ipv4(CLIENT4, SERVER4, tcp(40000, 25, PacketEvent.TCP_SYN, 0, new byte[0]));
        final byte[] padded = concat(ethernet(0x0800, syn), new byte[] {1, 2, 3, 4, 5, 6});
        assertThat(padded).hasSize(60);
        final PacketEvent e = decode(LinkType.ETHERNET, padded);
        assertThat(e.status).isEqualTo(DecodeStatus.OK);
        assertThat(e.tcpFlags).isEqualTo(PacketEvent.TCP_SYN);
        assertThat(e.payloadLength).isZero();
        assertThat(e.payloadWireLength).isZero();
    }

    @Test
    void shouldDecodeASnaplenTruncatedSegmentWithItsWireLength()
    {
        final byte[] full = ethernet(0x0800, ipv4(CLIENT4, SERVER4, tcp(40000, 25, new byte[1400])));
        final PacketEvent e = event(LinkType.ETHERNET, full);
        e.captureLength = 96;
        decoder.decode(e);
        assertThat(e.status).isEqualTo(DecodeStatus.OK);
        assertThat(e.payloadOffset).isEqualTo(54);
        assertThat(e.payloadLength).isEqualTo(96 - 54);
        assertThat(e.payloadWireLength).isEqualTo(1400);
    }

    @Test
    void shouldReportEachIpv4TruncationPointByLayer()
    {
        // Ethernet 14, IPv4 24 with options, TCP 32 with options, then the payload
        final byte[] full = ethernet(0x0800, ipv4(6, CLIENT4, SERVER4, 4, tcp(40000, 25, PacketEvent.TCP_ACK, 12, MAIL)));
        for (int length = 0; length < full.length; length++)
        {
            final PacketEvent e = event(LinkType.ETHERNET, full);
            e.captureLength = length;
            decoder.decode(e);
            final int expected = length < 14 ? DecodeStatus.TRUNCATED_LINK
                : length < 14 + 24 ? DecodeStatus.TRUNCATED_IP
                : length < 14 + 24 + 32 ? DecodeStatus.TRUNCATED_TCP
                : DecodeStatus.OK;
            assertThat(DecodeStatus.label(e.status)).as("captured %d", length).isEqualTo(DecodeStatus.label(expected));
            if (expected == DecodeStatus.OK)
            {
                assertThat(e.payloadLength).isEqualTo(length - 70);
                assertThat(e.payloadWireLength).isEqualTo(MAIL.length);
            }
        }
    }

    @Test
    void shouldReportEachIpv6TruncationPointByLayer()
    {
        // Ethernet 14, two VLAN tags 8, IPv6 40, hop-by-hop 8, destination options 16, TCP 20, payload
        final byte[] body = concat(extension(60, 8), extension(6, 16), tcp(40000, 25, MAIL));
        final byte[] full = ethernetTagged(new int[] {0x88a8, 0x8100}, 0x86dd, ipv6(0, CLIENT6, SERVER6, body));
        for (int length = 0; length < full.length; length++)
        {
            final PacketEvent e = event(LinkType.ETHERNET, full);
            e.captureLength = length;
            decoder.decode(e);
            final int expected = length < 22 ? DecodeStatus.TRUNCATED_LINK
                : length < 62 ? DecodeStatus.TRUNCATED_IP
                : length < 62 + 24 ? DecodeStatus.TRUNCATED_IPV6_EXTENSION
                : length < 62 + 24 + 20 ? DecodeStatus.TRUNCATED_TCP
                : DecodeStatus.OK;
            assertThat(DecodeStatus.label(e.status)).as("captured %d", length).isEqualTo(DecodeStatus.label(expected));
        }
    }

    @Test
    void shouldReportTruncatedLinkHeadersOfEveryKind()
    {
        final int[][] linkAndHeader = {
            {LinkType.LINUX_SLL, 16}, {LinkType.LINUX_SLL2, 20}, {LinkType.NULL, 4}, {LinkType.LOOP, 4}
        };
        final byte[][] frames = {
            TestFrames.sll(0x0800, tcp4()), TestFrames.sll2(0x0800, tcp4()),
            TestFrames.loopback(2, false, tcp4()), TestFrames.loopback(2, true, tcp4())
        };
        for (int i = 0; i < frames.length; i++)
        {
            for (int length = 0; length <= linkAndHeader[i][1]; length++)
            {
                final PacketEvent e = event(linkAndHeader[i][0], frames[i]);
                e.captureLength = length;
                decoder.decode(e);
                assertThat(e.status).as("link %d captured %d", linkAndHeader[i][0], length)
                    .isEqualTo(length < linkAndHeader[i][1] ? DecodeStatus.TRUNCATED_LINK : DecodeStatus.TRUNCATED_IP);
            }
        }
        assertThat(decode(LinkType.RAW, new byte[0]).status).isEqualTo(DecodeStatus.TRUNCATED_IP);
    }

    @Test
    void shouldRejectIpv4HeaderLengthsBelowFiveWords()
    {
        for (int ihl = 0; ihl < 5; ihl++)
        {
            final byte[] packet = tcp4();
            packet[0] = (byte)(0x40 | ihl);
            assertThat(decode(LinkType.RAW, packet).status).as("IHL %d", ihl).isEqualTo(DecodeStatus.BAD_IP_HEADER_LENGTH);
        }
    }

    @Test
    void shouldReportAnIpv4HeaderLongerThanTheCaptureAsTruncated()
    {
        final byte[] packet = ipv4(CLIENT4, SERVER4, new byte[30]);
        packet[0] = 0x4f;
        packet[3] = 50;
        assertThat(decode(LinkType.RAW, java.util.Arrays.copyOf(packet, 50)).status).isEqualTo(DecodeStatus.TRUNCATED_IP);
    }

    @Test
    void shouldRejectAnIpv4TotalLengthShorterThanItsHeader()
    {
        final byte[] packet = ipv4(6, CLIENT4, SERVER4, 8, tcp(40000, 25, MAIL));
        TestFrames.put16(packet, 2, 27);
        assertThat(decode(LinkType.RAW, packet).status).isEqualTo(DecodeStatus.BAD_IP_TOTAL_LENGTH);
        TestFrames.put16(packet, 2, 1);
        assertThat(decode(LinkType.RAW, packet).status).isEqualTo(DecodeStatus.BAD_IP_TOTAL_LENGTH);
    }

    @Test
    void shouldTakeTheFrameLengthForASegmentCapturedBeforeSegmentationOffload()
    {
        final byte[] big = ethernet(0x0800, ipv4(CLIENT4, SERVER4, tcp(40000, 25, new byte[4096])));
        TestFrames.put16(big, 14 + 2, 0);
        final PacketEvent e = event(LinkType.ETHERNET, big);
        e.captureLength = 1000;
        decoder.decode(e);
        assertThat(e.status).isEqualTo(DecodeStatus.OK);
        assertThat(e.payloadLength).isEqualTo(1000 - 54);
        assertThat(e.payloadWireLength).isEqualTo(4096);
    }

    @Test
    void shouldRejectAnIpv6PacketInAnIpv4EtherType()
    {
        assertThat(decode(LinkType.ETHERNET, ethernet(0x0800, tcp6())).status).isEqualTo(DecodeStatus.BAD_IP_VERSION);
        assertThat(decode(LinkType.ETHERNET, ethernet(0x86dd, tcp4())).status).isEqualTo(DecodeStatus.BAD_IP_VERSION);
    }

    @Test
    void shouldRejectTcpDataOffsetsBelowFiveWords()
    {
        for (int words = 0; words < 5; words++)
        {
            final byte[] packet = tcp4();
            packet[20 + 12] = (byte)(words << 4);
            assertThat(decode(LinkType.RAW, packet).status).as("data offset %d", words).isEqualTo(DecodeStatus.BAD_TCP_DATA_OFFSET);
        }
    }

    @Test
    void shouldRejectATcpDataOffsetBeyondTheSegmentButCallOneBeyondTheCaptureTruncated()
    {
        final byte[] shortSegment = ipv4(CLIENT4, SERVER4, tcp(40000, 25, new byte[8]));
        shortSegment[20 + 12] = (byte)0xf0;
        assertThat(decode(LinkType.RAW, shortSegment).status).isEqualTo(DecodeStatus.BAD_TCP_DATA_OFFSET);

        final byte[] longSegment = ipv4(CLIENT4, SERVER4, tcp(40000, 25, new byte[100]));
        longSegment[20 + 12] = (byte)0xf0;
        final PacketEvent e = event(LinkType.RAW, longSegment);
        e.captureLength = 20 + 40;
        decoder.decode(e);
        assertThat(e.status).isEqualTo(DecodeStatus.TRUNCATED_TCP);
    }

    @Test
    void shouldReportLaterIpv4FragmentsButDecodeTheFirst()
    {
        final byte[] later = tcp4();
        TestFrames.put16(later, 6, 0x2000 | 185);
        final PacketEvent fragment = decode(LinkType.RAW, later);
        assertThat(fragment.status).isEqualTo(DecodeStatus.FRAGMENT);
        assertThat(new long[] {fragment.srcHi, fragment.srcLo}).isEqualTo(Addresses.parse(CLIENT4));

        final byte[] first = tcp4();
        TestFrames.put16(first, 6, 0x2000);
        assertTcp4(decode(LinkType.RAW, first), 40);

        final byte[] dontFragment = tcp4();
        TestFrames.put16(dontFragment, 6, 0x4000);
        assertTcp4(decode(LinkType.RAW, dontFragment), 40);
    }

    @Test
    void shouldReportLaterIpv6FragmentsButDecodeTheFirst()
    {
        final byte[] first = ipv6(44, CLIENT6, SERVER6, concat(TestFrames.fragmentHeader(6, 0, true), tcp(40000, 25, MAIL)));
        assertTcp6(decode(LinkType.RAW, first), 48 + 20);
        final byte[] later = ipv6(44, CLIENT6, SERVER6, concat(TestFrames.fragmentHeader(6, 181, false), MAIL));
        assertThat(decode(LinkType.RAW, later).status).isEqualTo(DecodeStatus.FRAGMENT);
    }

    @Test
    void shouldWalkEveryKindOfIpv6ExtensionHeaderToTcp()
    {
        final byte[] chain = concat(
            extension(43, 8),                          // hop-by-hop -> routing
            extension(51, 24),                         // routing -> AH
            TestFrames.authenticationHeader(135, 24),  // AH -> mobility
            extension(60, 16),                         // mobility -> destination options
            extension(6, 8),                           // destination options -> TCP
            tcp(40000, 25, MAIL));
        assertTcp6(decode(LinkType.RAW, ipv6(0, CLIENT6, SERVER6, chain)), 40 + 80 + 20);
    }

    @Test
    void shouldTreatEspAndNoNextHeaderAsNotOurs()
    {
        assertThat(decode(LinkType.RAW, ipv6(50, CLIENT6, SERVER6, new byte[32])).status).isEqualTo(DecodeStatus.NOT_TCP);
        assertThat(decode(LinkType.RAW, ipv6(0, CLIENT6, SERVER6, extension(59, 8))).status).isEqualTo(DecodeStatus.NOT_TCP);
    }

    @Test
    void shouldCapTheIpv6ExtensionChain()
    {
        byte[] chain = tcp(40000, 25, MAIL);
        int next = 6;
        for (int i = 0; i < 9; i++)
        {
            chain = concat(extension(next, 8), chain);
            next = 60;
        }
        assertThat(decode(LinkType.RAW, ipv6(60, CLIENT6, SERVER6, chain)).status).isEqualTo(DecodeStatus.TOO_MANY_HEADERS);
    }

    @Test
    void shouldReportAnExtensionHeaderThatRunsPastThePayloadLength()
    {
        final byte[] packet = ipv6(0, CLIENT6, SERVER6, concat(extension(6, 8), tcp(40000, 25, MAIL)));
        packet[40 + 1] = (byte)200;
        assertThat(decode(LinkType.RAW, packet).status).isEqualTo(DecodeStatus.TRUNCATED_IPV6_EXTENSION);
    }

    @Test
    void shouldRejectJumbograms()
    {
        final byte[] packet = tcp6();
        TestFrames.put16(packet, 4, 0);
        assertThat(decode(LinkType.RAW, packet).status).isEqualTo(DecodeStatus.BAD_IP_TOTAL_LENGTH);
    }

    @Test
    void shouldClearWhatThePreviousPacketInTheSlotLeft()
    {
        final PacketEvent e = decode(LinkType.ETHERNET, ethernet(0x0800, tcp4()));
        assertThat(e.payloadLength).isPositive();
        TestFrames.load(e, LinkType.ETHERNET, ethernet(0x0806, new byte[28]), 42);
        decoder.decode(e);
        assertThat(e.status).isEqualTo(DecodeStatus.NOT_TCP);
        assertThat(e.ipVersion).isZero();
        assertThat(e.srcLo).isZero();
        assertThat(e.dstPort).isZero();
        assertThat(e.payloadOffset + e.payloadLength + e.payloadWireLength).isZero();
    }

    @Test
    void shouldNotTrustACaptureLengthBeyondTheFrameBuffer()
    {
        final PacketEvent e = event(LinkType.ETHERNET, ethernet(0x0800, tcp4()));
        e.captureLength = Integer.MAX_VALUE;
        decoder.decode(e);
        assertThat(e.status).isEqualTo(DecodeStatus.OK);
        e.captureLength = -5;
        decoder.decode(e);
        assertThat(e.status).isEqualTo(DecodeStatus.TRUNCATED_LINK);
    }
}
