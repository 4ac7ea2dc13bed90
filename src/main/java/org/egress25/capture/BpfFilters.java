package org.egress25.capture;

import org.egress25.decode.LinkType;

/**
 * The kernel filter for live capture. Only TCP to or from the SMTP ports crosses into Java, which more than
 * doubles what pcap4j handles of mixed traffic for a few nanoseconds a frame in libpcap (benchmarks/NOTES.md,
 * "Reading capture files"). On Ethernet the expression is repeated under {@code vlan} because a BPF filter without it does
 * not look past an 802.1Q tag, and trunk ports are common on gateways. Other link types have no VLAN tag to
 * look past and libpcap refuses {@code vlan} on them ("no VLAN support for Linux cooked v1" on {@code -i any},
 * where the kernel has already moved the tag out of the frame), so they get the plain expression.
 */
public final class BpfFilters
{
    private BpfFilters()
    {
    }

    /** The default filter for an interface of {@code linkType} (a LINKTYPE_ value, as pcap reports it). */
    public static String smtpPorts(final int[] ports, final int linkType)
    {
        final StringBuilder sb = new StringBuilder("tcp and (");
        for (int i = 0; i < ports.length; i++)
        {
            if (i > 0)
            {
                sb.append(" or ");
            }
            sb.append("port ").append(ports[i]);
        }
        sb.append(')');
        final String plain = sb.toString();
        return linkType == LinkType.ETHERNET ? "(" + plain + ") or (vlan and " + plain + ")" : plain;
    }
}
