package org.egress25.synth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.egress25.host.Cidr;

/**
 * Hands out inside addresses from the scenario's prefixes and draws outside ones that are in none of them.
 *
 * <p>Inside hosts get readable addresses: kind {@code k}'s host {@code n} sits at offset
 * {@code (k + 1) * 4096 + (n / 250) * 256 + 4 + n % 250} of its prefix, so in 10.0.0.0/16 the slow spambots
 * are 10.0.128.4, 10.0.128.5, ... Past 4,000 hosts of a kind, or in prefixes too small for that layout, hosts
 * take the lowest free address from .2 up; no address is ever handed out twice. Outside IPv4 addresses come from unicast
 * space outside RFC 1918, CGNAT, loopback, link-local, documentation and multicast; outside IPv6 from
 * 2a00::/12 (RIPE's space), never from 2001:db8::/32, which benchmark runs declare inside.
 */
final class Addressing
{
    /** Hosts of one kind that fit its 4,096-address range: 16 runs of 250. */
    private static final int KIND_SPAN = 4_000;

    private final List<Cidr> ipv4 = new ArrayList<>();
    private final List<Cidr> ipv6 = new ArrayList<>();
    private final List<Cidr> all;
    private final int[][] counters = new int[HostKind.values().length][2];
    /** Offsets handed out per prefix, so the fallback never reuses an address. */
    private final Map<Cidr, Set<Long>> used = new HashMap<>();
    private int ordinal;

    Addressing(final List<Cidr> inside)
    {
        for (final Cidr cidr : inside)
        {
            (cidr.isIpv4() ? ipv4 : ipv6).add(cidr);
        }
        all = List.copyOf(inside);
    }

    boolean hasIpv6()
    {
        return !ipv6.isEmpty();
    }

    /** 100.64.0.0, in the low 64 bits of an IPv4-mapped key: an address in RFC 6598 CGNAT space. */
    static final long CGNAT = 0x0000_ffff_6440_0000L;
    /** 10.0.0.0: RFC 1918 space that the shipped rules class as residential-dynamic. */
    static final long RESIDENTIAL = 0x0000_ffff_0a00_0000L;
    /** 172.16.0.0: RFC 1918 space that the shipped rules class as business-static. */
    static final long BUSINESS = 0x0000_ffff_ac10_0000L;

    /** The next inside host of a kind; IPv4 ones go round the IPv4 prefixes unless {@code preferCgnat}. */
    Node inside(final HostKind kind, final boolean v6, final boolean preferCgnat)
    {
        return inside(kind, v6, preferCgnat ? CGNAT : 0);
    }

    /**
     * The next inside host of a kind, in the inside prefix holding {@code preferred} ({@link #CGNAT},
     * {@link #BUSINESS}) when there is one, else going round the prefixes of its family; 0 prefers none.
     */
    Node inside(final HostKind kind, final boolean v6, final long preferred)
    {
        final boolean preferring = preferred != 0 && !v6;
        final List<Cidr> family = v6 ? ipv6 : ipv4;
        if (family.isEmpty())
        {
            throw new IllegalArgumentException(
                "scenario has " + kind.label() + " hosts but no inside IPv" + (v6 ? "6" : "4") + " prefix");
        }
        final int n = counters[kind.ordinal()][v6 ? 1 : 0]++;
        Cidr prefix = family.get(n % family.size());
        if (preferring)
        {
            for (final Cidr cidr : family)
            {
                if (cidr.contains(0, preferred))
                {
                    prefix = cidr;
                }
            }
        }
        final int index = preferring ? n : n / family.size();
        final Set<Long> taken = used.computeIfAbsent(prefix, cidr -> new HashSet<>());
        long offset = ((kind.ordinal() + 1L) << 12) + (index / 250) * 256L + 4 + index % 250;
        if (index >= KIND_SPAN || offset >= prefix.size() - 1 || taken.contains(offset))
        {
            offset = 2;
            while (taken.contains(offset))
            {
                offset++;
            }
            if (offset >= prefix.size() - 1)
            {
                throw new IllegalArgumentException("inside prefix " + prefix + " is too small for the scenario's hosts");
            }
        }
        taken.add(offset);
        final byte[] address = v6 ? new byte[16] : new byte[4];
        if (v6)
        {
            putLong(address, 0, prefix.hi());
            putLong(address, 8, prefix.lo() + offset);
        }
        else
        {
            final int base = (int)prefix.lo();
            Frames.putInt(address, 0, base + (int)offset);
        }
        return Node.inside(address, ++ordinal, (int)(offset * 7919));
    }

    /** A random public address outside every inside prefix. */
    Node outside(final SplittableRandom random, final boolean v6)
    {
        while (true)
        {
            final byte[] address = v6 ? randomIpv6(random) : randomIpv4(random);
            final long[] pair = org.egress25.host.Addresses.toPair(address);
            boolean inside = false;
            for (final Cidr cidr : all)
            {
                inside |= cidr.contains(pair[0], pair[1]);
            }
            if (!inside)
            {
                return Node.outside(address, random.nextInt(65_536));
            }
        }
    }

    private static byte[] randomIpv4(final SplittableRandom random)
    {
        while (true)
        {
            final int a = 1 + random.nextInt(223);
            final int b = random.nextInt(256);
            final boolean reserved = a == 10 || a == 127 || a == 0 || (a == 100 && b >= 64 && b < 128)
                || (a == 169 && b == 254) || (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168)
                || (a == 192 && b == 0) || (a == 198 && (b == 18 || b == 19 || b == 51)) || (a == 203 && b == 0);
            if (!reserved)
            {
                return new byte[] {(byte)a, (byte)b, (byte)random.nextInt(256), (byte)(1 + random.nextInt(254))};
            }
        }
    }

    private static byte[] randomIpv6(final SplittableRandom random)
    {
        final byte[] address = new byte[16];
        Frames.putShort(address, 0, 0x2a00 | random.nextInt(16));
        Frames.putShort(address, 2, random.nextInt(65_536));
        Frames.putShort(address, 4, random.nextInt(65_536));
        address[15] = (byte)(1 + random.nextInt(254));
        address[14] = (byte)random.nextInt(4);
        return address;
    }

    private static void putLong(final byte[] out, final int offset, final long value)
    {
        Frames.putInt(out, offset, (int)(value >>> 32));
        Frames.putInt(out, offset + 4, (int)value);
    }
}
