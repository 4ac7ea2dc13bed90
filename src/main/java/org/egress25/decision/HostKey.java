package org.egress25.decision;

import org.egress25.policy.Addresses;

/**
 * An inside host as a map key off the packet path (decisions, blocks, strikes). The packet path keys its
 * own primitive tables by the two longs directly and never makes one of these.
 */
public record HostKey(long hi, long lo)
{
    public static HostKey parse(final String text)
    {
        final long[] pair = Addresses.parse(text);
        return new HostKey(pair[0], pair[1]);
    }

    public String text()
    {
        return Addresses.format(hi, lo);
    }

    @Override
    public String toString()
    {
        return text();
    }
}
