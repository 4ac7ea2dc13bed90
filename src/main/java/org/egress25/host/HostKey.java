package org.egress25.host;


/**
 * What a decision is about, as a map key off the packet path (decisions, blocks, strikes): one inside address
 * ({@code bits} 128), or an IPv6 prefix such as a subscriber's /64 ({@code bits} 32 to 64), judged and blocked
 * as one when its addresses together are the evidence (a bot rotating through privacy addresses, RFC 8981).
 * The packet path keys its own primitive tables by the two longs directly and never makes one of these.
 *
 * <p>Text: an address in the canonical form of {@link Addresses#format} (RFC 5952 for IPv6), a prefix as its
 * network address in the same form plus {@code /bits}, e.g. {@code 2001:db8:1:2::/64}. That text is the
 * {@code host} field of decisions, the journal, the block store and the kernel set elements alike.
 *
 * @param hi   high 64 bits, host bits of a prefix zero
 * @param lo   low 64 bits, zero for a prefix
 * @param bits 128 for an address, else the IPv6 prefix length
 */
public record HostKey(long hi, long lo, int bits)
{
    /** The shortest prefix egress25 judges or blocks as one: an ISP's largest allocation to one site (RFC 6177). */
    public static final int MIN_PREFIX_BITS = 32;
    /** The longest: a /64 is the smallest subnet SLAAC and privacy addresses work in (RFC 7421, RFC 8981). */
    public static final int MAX_PREFIX_BITS = 64;

    public HostKey
    {
        if (bits != 128 && (bits < MIN_PREFIX_BITS || bits > MAX_PREFIX_BITS || Addresses.isIpv4(hi, lo)))
        {
            throw new IllegalArgumentException("a prefix must be IPv6 and /" + MIN_PREFIX_BITS + " to /"
                + MAX_PREFIX_BITS + ", not /" + bits);
        }
        if (bits != 128)
        {
            hi &= Cidr.maskHi(bits);
            lo = 0;
        }
    }

    /** One address. */
    public HostKey(final long hi, final long lo)
    {
        this(hi, lo, 128);
    }

    /**
     * Parses an address, or an IPv6 prefix {@code x::/n} with n from 32 to 64 (host bits are cleared, so
     * {@code 2001:db8:1:2::7/64} names the same prefix as {@code 2001:db8:1:2::/64}); {@code /128} is the address.
     *
     * @throws IllegalArgumentException with a message fit for an operator
     */
    public static HostKey parse(final String text)
    {
        final int slash = text.indexOf('/');
        final long[] pair = Addresses.parse(slash < 0 ? text : text.substring(0, slash));
        if (slash < 0)
        {
            return new HostKey(pair[0], pair[1]);
        }
        final int bits;
        try
        {
            bits = Integer.parseInt(text.substring(slash + 1).trim());
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
        }
        if (Addresses.isIpv4(pair[0], pair[1]))
        {
            throw new IllegalArgumentException("'" + text + "': only IPv6 prefixes are judged or blocked as one;"
                + " name IPv4 hosts by address");
        }
        if (bits != 128 && (bits < MIN_PREFIX_BITS || bits > MAX_PREFIX_BITS))
        {
            throw new IllegalArgumentException("'" + text + "' has prefix length " + bits + "; a prefix block is /"
                + MIN_PREFIX_BITS + " to /" + MAX_PREFIX_BITS + " (or /128, the address itself)");
        }
        return new HostKey(pair[0], pair[1], bits);
    }

    /** The canonical text of an address or prefix written any valid way. */
    public static String canonical(final String text)
    {
        return parse(text).text();
    }

    /** The prefix of {@code bits} holding the address {@code hi, lo}. */
    public static HostKey prefixOf(final long hi, final long lo, final int bits)
    {
        return new HostKey(hi, lo, bits);
    }

    public boolean isPrefix()
    {
        return bits != 128;
    }

    /** True for the address itself or a prefix holding it. */
    public boolean covers(final long addrHi, final long addrLo)
    {
        return isPrefix() ? (addrHi & Cidr.maskHi(bits)) == hi : addrHi == hi && addrLo == lo;
    }

    public String text()
    {
        final String address = Addresses.format(hi, lo);
        return isPrefix() ? address + "/" + bits : address;
    }

    @Override
    public String toString()
    {
        return text();
    }
}
