package org.egress25.synth;

import org.egress25.host.Addresses;

/**
 * One network endpoint as the wire sees it: an IPv4 or IPv6 address, the MAC on our segment (the host's own
 * for inside hosts, the gateway's for everything beyond it), and the IP identification counter a real stack
 * keeps per host.
 */
final class Node
{
    /** The default gateway every outside packet comes through. */
    static final byte[] GATEWAY_MAC = {0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01};

    final byte[] address;
    final byte[] mac;
    int ipId;
    private int nextPort;
    private String text;

    private Node(final byte[] address, final byte[] mac, final int ipId)
    {
        this.address = address;
        this.mac = mac;
        this.ipId = ipId;
        this.nextPort = 32_768 + Math.floorMod(ipId * 31, 28_000);
    }

    /** Next ephemeral source port, Linux's 32768-60999 range, wrapping. */
    int nextPort()
    {
        final int port = nextPort;
        nextPort = port == 60_999 ? 32_768 : port + 1;
        return port;
    }

    /** Address text, made on first use: most outside nodes (a mass-sender's targets) are never printed. */
    String text()
    {
        if (text == null)
        {
            text = format(address);
        }
        return text;
    }

    boolean isIpv6()
    {
        return address.length == 16;
    }

    /** An inside host with a locally administered MAC derived from its ordinal. */
    static Node inside(final byte[] address, final int ordinal, final int ipId)
    {
        final byte[] mac = {0x02, 0x25, (byte)(ordinal >>> 24), (byte)(ordinal >>> 16), (byte)(ordinal >>> 8), (byte)ordinal};
        return new Node(address, mac, ipId);
    }

    /** A host beyond the gateway. */
    static Node outside(final byte[] address, final int ipId)
    {
        return new Node(address, GATEWAY_MAC, ipId);
    }

    /** The same text the decisions log uses for the host: dotted quad, or RFC 5952 for IPv6. */
    static String format(final byte[] address)
    {
        final long[] pair = Addresses.toPair(address);
        return Addresses.format(pair[0], pair[1]);
    }
}
