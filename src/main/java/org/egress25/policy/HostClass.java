package org.egress25.policy;

import java.util.List;
import org.egress25.host.Cidr;

/**
 * A named class of inside networks with its port-25 mode and its detectors, thresholds already resolved
 * (class overrides applied over the defaults), so the packet path never merges settings.
 *
 * @param name       class name from the rule file (e.g. {@code residential-dynamic})
 * @param mode       how port 25 is policed for this class
 * @param networks   the class's blocks
 * @param detectors  rate detectors with this class's thresholds
 * @param ipv6Prefix length of the IPv6 prefix whose addresses are also judged together ({@code ipv6-prefix},
 *                   32 to 64, default {@value #DEFAULT_IPV6_PREFIX}), or {@value #NO_IPV6_PREFIX} for addresses
 *                   alone
 */
public record HostClass(String name, Port25Mode mode, List<Cidr> networks, List<RateDetector> detectors, int ipv6Prefix)
{
    /**
     * A subscriber's LAN is one /64 (RFC 7421, https://www.rfc-editor.org/rfc/rfc7421), and a host there picks
     * new temporary addresses inside it (RFC 8981), so the /64 is what stays the same while a compromised host
     * rotates; Spamhaus's CSS lists IPv6 at /64 for the same reason
     * (https://www.spamhaus.org/organization/statement/012/spamhaus-ipv6-blocklists-strategy-statement).
     */
    public static final int DEFAULT_IPV6_PREFIX = 64;
    /** {@code ipv6-prefix: 128}: every address on its own, no aggregate. */
    public static final int NO_IPV6_PREFIX = 128;

    public HostClass
    {
        networks = List.copyOf(networks);
        detectors = List.copyOf(detectors);
    }

    /** A class judging IPv6 by /64 as well as by address. */
    public HostClass(final String name, final Port25Mode mode, final List<Cidr> networks,
        final List<RateDetector> detectors)
    {
        this(name, mode, networks, detectors, DEFAULT_IPV6_PREFIX);
    }

    /** True when the class's IPv6 addresses are also judged together by {@link #ipv6Prefix()}. */
    public boolean judgesIpv6Prefixes()
    {
        return ipv6Prefix != NO_IPV6_PREFIX;
    }
}
