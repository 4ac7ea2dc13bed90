package org.egress25.decode;

/**
 * Outcome of decoding one frame. {@link #OK} and {@link #NOT_TCP} are normal; every other code is a
 * malformation reason with its own metric label, so an operator can tell a broken tap from hostile traffic.
 */
public final class DecodeStatus
{
    public static final int OK = 0;
    /** Well-formed but not TCP over IP (ARP, UDP, ICMP, ...): skipped, counted as not ours. */
    public static final int NOT_TCP = 1;
    /** Non-first IPv4 fragment or IPv6 fragment with non-zero offset: no TCP header to read. */
    public static final int FRAGMENT = 2;
    public static final int UNSUPPORTED_LINK = 3;
    public static final int TRUNCATED_LINK = 4;
    public static final int TRUNCATED_IP = 5;
    public static final int BAD_IP_VERSION = 6;
    public static final int BAD_IP_HEADER_LENGTH = 7;
    public static final int BAD_IP_TOTAL_LENGTH = 8;
    public static final int TRUNCATED_IPV6_EXTENSION = 9;
    public static final int TRUNCATED_TCP = 10;
    public static final int BAD_TCP_DATA_OFFSET = 11;
    /** Too many stacked VLAN tags or IPv6 extension headers to be a real packet. */
    public static final int TOO_MANY_HEADERS = 12;

    private static final String[] LABELS = {
        "ok", "not_tcp", "fragment", "unsupported_link", "truncated_link", "truncated_ip", "bad_ip_version",
        "bad_ip_header_length", "bad_ip_total_length", "truncated_ipv6_extension", "truncated_tcp",
        "bad_tcp_data_offset", "too_many_headers"
    };

    public static final int COUNT = LABELS.length;

    private DecodeStatus()
    {
    }

    /** Metric label of a status code. */
    public static String label(final int status)
    {
        return status >= 0 && status < LABELS.length ? LABELS[status] : "unknown";
    }

    /** True for codes that mean the frame was broken, as opposed to merely not ours. */
    public static boolean isMalformed(final int status)
    {
        return status > NOT_TCP;
    }
}
