package org.egress25.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.egress25.host.Cidr;

/**
 * Source and destination exemptions, asked on the packet path: two scans over flat arrays, no allocation.
 *
 * <p>Expiry is compared with the capture clock ({@code nowNanos}), not the wall clock, so a replay of last
 * month's traffic applies an exemption exactly until the capture time it expired at, and gives the same
 * verdicts on every run. An exemption with no expiry holds {@link Long#MAX_VALUE}. A list of a few hundred
 * exemptions costs a few hundred masked compares, and the scan stops at the first live match. It is asked
 * for every SMTP segment, so each exemption is held as {@value #STRIDE} longs in one array (network and mask,
 * both halves, then expiry) rather than as a {@link Cidr} object to chase: one cache line per one or two
 * exemptions instead of a miss per record.
 */
public final class Exemptions
{
    private static final Exemptions NONE = new Exemptions(List.of());

    private static final int STRIDE = 5;

    private final List<Exemption> all;
    private final long[] sources;
    private final long[] destinations;

    public Exemptions(final List<Exemption> exemptions)
    {
        this.all = List.copyOf(exemptions);
        final List<Exemption> src = new ArrayList<>();
        final List<Exemption> dst = new ArrayList<>();
        for (final Exemption exemption : all)
        {
            (exemption.kind() == Exemption.Kind.SOURCE ? src : dst).add(exemption);
        }
        sources = flatten(src);
        destinations = flatten(dst);
    }

    public static Exemptions none()
    {
        return NONE;
    }

    /** True when an unexpired source exemption covers the inside host at capture time {@code nowNanos}. */
    public boolean sourceExempt(final long hi, final long lo, final long nowNanos)
    {
        return matches(sources, hi, lo, nowNanos);
    }

    /** True when an unexpired destination exemption covers the server at capture time {@code nowNanos}. */
    public boolean destinationExempt(final long hi, final long lo, final long nowNanos)
    {
        return matches(destinations, hi, lo, nowNanos);
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

    private static boolean matches(final long[] rows, final long hi, final long lo, final long nowNanos)
    {
        for (int at = 0; at < rows.length; at += STRIDE)
        {
            // absolute epoch nanoseconds, both far from overflow until 2262: a plain compare is exact
            if ((hi & rows[at + 2]) == rows[at] && (lo & rows[at + 3]) == rows[at + 1] && nowNanos < rows[at + 4])
            {
                return true;
            }
        }
        return false;
    }

    /** Network high and low half, mask high and low half, expiry in epoch nanoseconds; per exemption. */
    private static long[] flatten(final List<Exemption> exemptions)
    {
        final long[] rows = new long[exemptions.size() * STRIDE];
        for (int i = 0; i < exemptions.size(); i++)
        {
            final Cidr network = exemptions.get(i).network();
            final long maskHi = Cidr.maskHi(network.bits());
            final long maskLo = Cidr.maskLo(network.bits());
            final int at = i * STRIDE;
            rows[at] = network.hi() & maskHi;
            rows[at + 1] = network.lo() & maskLo;
            rows[at + 2] = maskHi;
            rows[at + 3] = maskLo;
            rows[at + 4] = toEpochNanos(exemptions.get(i).expires());
        }
        return rows;
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
