package org.egress25.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.egress25.decode.LinkType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/** The default filter compiles with the real libpcap for every link type the decoder reads. */
class BpfFiltersTest
{
    private static final int[] PORTS = {25, 465, 587, 2525};

    @ParameterizedTest
    @ValueSource(ints = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW, LinkType.NULL,
        LinkType.LOOP, LinkType.IPV4, LinkType.IPV6})
    void shouldCompileTheDefaultFilterForEveryLinkTypeTheDecoderReads(final int linkType)
    {
        final String expression = BpfFilters.smtpPorts(PORTS, linkType);

        assertThatCode(() -> Pcaps.compileFilter(2048, DataLinkType.getInstance(dlt(linkType)), expression,
            BpfProgram.BpfCompileMode.OPTIMIZE, (Inet4Address)InetAddress.getByName("255.255.255.255")).free())
            .as("%s on link type %d", expression, linkType).doesNotThrowAnyException();
    }

    @org.junit.jupiter.api.Test
    void shouldLookInsideVlanTagsOnEthernet()
    {
        assertThat(BpfFilters.smtpPorts(PORTS, LinkType.ETHERNET)).contains("vlan and tcp and (port 25 or port 465");
    }

    /** libpcap's compiler takes DLT_ values, which differ from LINKTYPE_ values for raw IP (12 here). */
    private static int dlt(final int linkType)
    {
        return linkType == LinkType.RAW ? 12 : linkType;
    }
}
