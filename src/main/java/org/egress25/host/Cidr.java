package org.egress25.host;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address block in the same two-long form the ring uses (IPv4 held IPv4-mapped), so matching a packet
 * is two masked compares with no object in sight.
 *
 * @param hi        high 64 bits of the network address
 * @param lo        low 64 bits of the network address
 * @param bits      prefix length in the 128-bit space (an IPv4 /24 is 120)
 * @param text      the block as the operator wrote it, for messages
 */
public record Cidr(long hi, long lo, int bits, String text)
{
    public boolean contains(final long addrHi, final long addrLo)
    {
        if (bits == 0)
        {
            return true;
        }
        if (bits <= 64)
        {
            final long mask = bits == 64 ? -1L : ~(-1L >>> bits);
            return (addrHi & mask) == hi;
        }
        if (addrHi != hi)
        {
            return false;
        }
        final int loBits = bits - 64;
        final long mask = loBits == 64 ? -1L : ~(-1L >>> loBits);
        return (addrLo & mask) == lo;
    }

    /** The high 64 bits of the netmask of a {@code bits}-long prefix in the 128-bit space. */
    public static long maskHi(final int bits)
    {
        return bits >= 64 ? -1L : bits == 0 ? 0L : ~(-1L >>> bits);
    }

    /** The low 64 bits of the netmask of a {@code bits}-long prefix in the 128-bit space. */
    public static long maskLo(final int bits)
    {
        return bits <= 64 ? 0L : bits == 128 ? -1L : ~(-1L >>> (bits - 64));
    }

    /** Prefix length as the operator thinks of it: 24 for an IPv4 /24, not 120. */
    public int displayBits()
    {
        return isIpv4() ? bits - 96 : bits;
    }

    public boolean isIpv4()
    {
        return hi == 0 && bits >= 96 && (lo & 0xffff_ffff_0000_0000L) == Addresses.IPV4_MAPPED_PREFIX;
    }

    /** Number of addresses in the block, saturating at Long.MAX_VALUE. */
    public long size()
    {
        final int hostBits = 128 - bits;
        return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
    }

    /** True when this block and the other share any address. */
    public boolean overlaps(final Cidr other)
    {
        return bits <= other.bits ? contains(other.hi, other.lo) : other.contains(hi, lo);
    }

    /**
     * Parses {@code a.b.c.d/n}, {@code x::y/n} or a bare address (a host route).
     *
     * @throws IllegalArgumentException with a message fit for an operator
     */
    public static Cidr parse(final String text)
    {
        final String trimmed = text.trim();
        final int slash = trimmed.indexOf('/');
        final String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (addressText.isEmpty() || !(addressText.indexOf(':') >= 0 || addressText.matches("[0-9.]+")))
        {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 network (expected e.g. 10.0.0.0/8)");
        }
        if (addressText.indexOf(':') < 0 && !Addresses.isDottedQuad(addressText))
        {
            throw Addresses.notDottedQuad(text);
        }
        final byte[] raw;
        try
        {
            raw = InetAddress.getByName(addressText).getAddress();
        }
        catch (final UnknownHostException | SecurityException e)
        {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 network (expected e.g. 10.0.0.0/8)");
        }
        final boolean v4 = raw.length == 4;
        final int maxBits = v4 ? 32 : 128;
        int prefix = maxBits;
        if (slash >= 0)
        {
            try
            {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            }
            catch (final NumberFormatException e)
            {
                throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
            }
            if (prefix < 0 || prefix > maxBits)
            {
                throw new IllegalArgumentException(
                    "'" + text + "' has prefix length " + prefix + ", outside 0.." + maxBits);
            }
        }
        final long[] pair = Addresses.toPair(raw);
        final int bits = v4 ? prefix + 96 : prefix;
        long hi = pair[0];
        long lo = pair[1];
        if (bits < 128)
        {
            if (bits <= 64)
            {
                hi &= bits == 64 ? -1L : ~(-1L >>> bits);
                lo = 0;
            }
            else
            {
                lo &= ~(-1L >>> (bits - 64));
            }
        }
        if (hi != pair[0] || lo != pair[1])
        {
            throw new IllegalArgumentException(
                "'" + text + "' has host bits set; did you mean " + Addresses.format(hi, lo) + "/" + prefix + "?");
        }
        return new Cidr(hi, lo, bits, Addresses.format(hi, lo) + "/" + prefix);
    }

    @Override
    public String toString()
    {
        return text;
    }
}
