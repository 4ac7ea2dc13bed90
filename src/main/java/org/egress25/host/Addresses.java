package org.egress25.host;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Conversions between the ring's two-long address form and text. Text is only made off the packet path
 * (decisions, reports), so allocation here is fine.
 */
public final class Addresses
{
    /** High 32 bits of {@code lo} for an IPv4 address held IPv4-mapped ({@code ::ffff:a.b.c.d}, RFC 4291 2.5.5.2). */
    public static final long IPV4_MAPPED_PREFIX = 0x0000_ffff_0000_0000L;

    private Addresses()
    {
    }

    public static boolean isIpv4(final long hi, final long lo)
    {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == IPV4_MAPPED_PREFIX;
    }

    /** Two longs from 4 or 16 raw bytes; IPv4 becomes IPv4-mapped. */
    public static long[] toPair(final byte[] raw)
    {
        if (raw.length == 4)
        {
            final long v4 = ((raw[0] & 0xffL) << 24) | ((raw[1] & 0xffL) << 16) | ((raw[2] & 0xffL) << 8) | (raw[3] & 0xffL);
            return new long[] {0L, IPV4_MAPPED_PREFIX | v4};
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++)
        {
            hi = (hi << 8) | (raw[i] & 0xffL);
            lo = (lo << 8) | (raw[i + 8] & 0xffL);
        }
        return new long[] {hi, lo};
    }

    private static final java.util.regex.Pattern DIGITS_AND_DOTS = java.util.regex.Pattern.compile("[0-9.]+");

    /**
     * Parses an address (no prefix) to the two-long form. Dotted quads take a hand-written path: this runs at
     * every SMTP session end, where the JDK's general parser and a regex cost a few microseconds each.
     */
    public static long[] parse(final String text)
    {
        final String t = text.trim();
        final long v4 = dottedQuad(t);
        if (v4 >= 0)
        {
            return new long[] {0L, IPV4_MAPPED_PREFIX | v4};
        }
        if (t.isEmpty() || !(t.indexOf(':') >= 0 || DIGITS_AND_DOTS.matcher(t).matches()))
        {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
        if (t.indexOf(':') < 0)
        {
            throw notDottedQuad(text);
        }
        try
        {
            return toPair(InetAddress.getByName(t).getAddress());
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
    }

    /**
     * The JDK reads {@code 198.18.010.066} as 198.18.10.66 and {@code 1.2.3} as 1.2.0.3, while other tools read
     * a leading zero as octal: an address that means different things to different readers is refused.
     */
    static IllegalArgumentException notDottedQuad(final String text)
    {
        return new IllegalArgumentException("'" + text + "' is not an IPv4 address: write four decimal numbers 0-255"
            + " without leading zeros (e.g. 198.18.10.66)");
    }

    /** True for four decimal octets 0-255 without leading zeros, the only IPv4 text egress25 accepts. */
    public static boolean isDottedQuad(final String text)
    {
        return dottedQuad(text) >= 0;
    }

    /** The 32-bit value of a strict dotted quad (four decimal octets, no leading zeros), or -1. */
    private static long dottedQuad(final String t)
    {
        long value = 0;
        int octets = 0;
        int i = 0;
        final int n = t.length();
        while (i < n && octets < 4)
        {
            final int start = i;
            int octet = 0;
            while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9' && i - start < 3)
            {
                octet = octet * 10 + (t.charAt(i) - '0');
                i++;
            }
            if (i == start || octet > 255 || (i - start > 1 && t.charAt(start) == '0'))
            {
                return -1;
            }
            value = (value << 8) | octet;
            octets++;
            if (octets < 4)
            {
                if (i >= n || t.charAt(i) != '.')
                {
                    return -1;
                }
                i++;
            }
        }
        return octets == 4 && i == n ? value : -1;
    }

    /** Dotted quad for IPv4(-mapped), RFC 5952 text (lower case, longest zero run compressed) for IPv6. */
    public static String format(final long hi, final long lo)
    {
        if (isIpv4(hi, lo))
        {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        final int[] groups = new int[8];
        for (int i = 0; i < 4; i++)
        {
            groups[i] = (int)((hi >>> (48 - 16 * i)) & 0xffff);
            groups[i + 4] = (int)((lo >>> (48 - 16 * i)) & 0xffff);
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; )
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        if (bestLength < 2)
        {
            bestStart = -1;
        }
        final StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':')
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** For callers that need an InetAddress (sockets, nft); never on the packet path. */
    public static InetAddress toInetAddress(final long hi, final long lo)
    {
        try
        {
            if (isIpv4(hi, lo))
            {
                return InetAddress.getByAddress(new byte[] {
                    (byte)(lo >>> 24), (byte)(lo >>> 16), (byte)(lo >>> 8), (byte)lo});
            }
            final byte[] raw = new byte[16];
            for (int i = 0; i < 8; i++)
            {
                raw[i] = (byte)(hi >>> (56 - 8 * i));
                raw[i + 8] = (byte)(lo >>> (56 - 8 * i));
            }
            return Inet6Address.getByAddress(null, raw, null);
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalStateException(e);
        }
    }
}
