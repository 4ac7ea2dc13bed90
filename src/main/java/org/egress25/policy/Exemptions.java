package org.egress25.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Source and destination exemptions, asked on the packet path: two scans over flat arrays, no allocation.
 *
 * <p>Expiry is compared with the capture clock ({@code nowNanos}), not the wall clock, so a replay of last
 * month's traffic applies an exemption exactly until the capture time it expired at, and gives the same
 * verdicts on every run. An exemption with no expiry holds {@link Long#MAX_VALUE}. A list of a few hundred
 * exemptions costs a few hundred masked compares per new connection, which is nothing next to the SYN rate
 * it is asked at; the scan stops at the first live match.
 */
public final class Exemptions
{
    private static final Exemptions NONE = new Exemptions(List.of());

    private final List<Exemption> all;
    private final Cidr[] sources;
    private final long[] sourceExpiresNanos;
    private final Cidr[] destinations;
    private final long[] destinationExpiresNanos;

    public Exemptions(final List<Exemption> exemptions)
    {
        this.all = List.copyOf(exemptions);
        final List<Exemption> src = new ArrayList<>();
        final List<Exemption> dst = new ArrayList<>();
        for (final Exemption exemption : all)
        {
            (exemption.kind() == Exemption.Kind.SOURCE ? src : dst).add(exemption);
        }
        sources = networks(src);
        sourceExpiresNanos = expiries(src);
        destinations = networks(dst);
        destinationExpiresNanos = expiries(dst);
    }

    public static Exemptions none()
    {
        return NONE;
    }

    /** True when an unexpired source exemption covers the inside host at capture time {@code nowNanos}. */
    public boolean sourceExempt(final long hi, final long lo, final long nowNanos)
    {
        return matches(sources, sourceExpiresNanos, hi, lo, nowNanos);
    }

    /** True when an unexpired destination exemption covers the server at capture time {@code nowNanos}. */
    public boolean destinationExempt(final long hi, final long lo, final long nowNanos)
    {
        return matches(destinations, destinationExpiresNanos, hi, lo, nowNanos);
    }

    /** Every exemption in rule-file order, expired ones included (reports say which). */
    public List<Exemption> list()
    {
        return all;
    }

    public boolean isEmpty()
    {
        return all.isEmpty();
    }

    /** The exemptions that have expired as of {@code now}. */
    public List<Exemption> expired(final Instant now)
    {
        final List<Exemption> expired = new ArrayList<>();
        for (final Exemption exemption : all)
        {
            if (exemption.isExpired(now))
            {
                expired.add(exemption);
            }
        }
        return expired;
    }

    private static boolean matches(
        final Cidr[] networks, final long[] expiresNanos, final long hi, final long lo, final long nowNanos)
    {
        for (int i = 0; i < networks.length; i++)
        {
            // absolute epoch nanoseconds, both far from overflow until 2262: a plain compare is exact
            if (nowNanos < expiresNanos[i] && networks[i].contains(hi, lo))
            {
                return true;
            }
        }
        return false;
    }

    private static Cidr[] networks(final List<Exemption> exemptions)
    {
        final Cidr[] networks = new Cidr[exemptions.size()];
        for (int i = 0; i < networks.length; i++)
        {
            networks[i] = exemptions.get(i).network();
        }
        return networks;
    }

    private static long[] expiries(final List<Exemption> exemptions)
    {
        final long[] nanos = new long[exemptions.size()];
        for (int i = 0; i < nanos.length; i++)
        {
            nanos[i] = toEpochNanos(exemptions.get(i).expires());
        }
        return nanos;
    }

    static long toEpochNanos(final Instant instant)
    {
        if (instant == null)
        {
            return Long.MAX_VALUE;
        }
        try
        {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
        }
        catch (final ArithmeticException e)
        {
            return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
