package org.egress25.capture;

import java.util.Arrays;

/**
 * The interfaces a pcapng section has described so far, held in parallel primitive arrays so the per-packet
 * lookup (link type, timestamp scale) is two array loads.
 *
 * <p>An Enhanced Packet Block's timestamp is a count of {@code if_tsresol} units: {@code 10^-n} seconds when the
 * option byte's top bit is clear, {@code 2^-n} seconds when it is set, microseconds without the option. Decimal
 * resolutions convert with one multiply (n &lt;= 9) or one divide (n &gt; 9); binary ones split into whole
 * seconds and a fraction so that a 2^-32 clock (some hardware timestampers) does not overflow.
 */
final class InterfaceTable
{
    /** Interface IDs are 32-bit, but a section with more than this many is a broken or hostile file. */
    static final int MAX_INTERFACES = 4096;
    static final int DEFAULT_TSRESOL = 6;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int BINARY_FLAG = 0x80;

    private int count;
    private int[] linkTypes = new int[4];
    private int[] snapLengths = new int[4];
    /** -1 for a decimal resolution, otherwise the binary exponent n of 2^-n. */
    private int[] binaryShifts = new int[4];
    private long[] multipliers = new long[4];
    private long[] divisors = new long[4];
    private long[] offsetNanos = new long[4];

    /** A new section numbers its interfaces from zero again. */
    void clear()
    {
        count = 0;
    }

    int count()
    {
        return count;
    }

    /**
     * Adds the next interface.
     *
     * @return false when the table is full
     */
    boolean add(final int linkType, final int snapLength, final int tsresol, final long tsOffsetSeconds)
    {
        if (count == MAX_INTERFACES)
        {
            return false;
        }
        if (count == linkTypes.length)
        {
            final int size = count * 2;
            linkTypes = Arrays.copyOf(linkTypes, size);
            snapLengths = Arrays.copyOf(snapLengths, size);
            binaryShifts = Arrays.copyOf(binaryShifts, size);
            multipliers = Arrays.copyOf(multipliers, size);
            divisors = Arrays.copyOf(divisors, size);
            offsetNanos = Arrays.copyOf(offsetNanos, size);
        }
        final int i = count++;
        linkTypes[i] = linkType;
        snapLengths[i] = snapLength;
        offsetNanos[i] = tsOffsetSeconds * NANOS_PER_SECOND;
        final int exponent = tsresol & ~BINARY_FLAG;
        if ((tsresol & BINARY_FLAG) != 0)
        {
            binaryShifts[i] = Math.min(exponent, 63);
            multipliers[i] = 1;
            divisors[i] = 1;
        }
        else
        {
            binaryShifts[i] = -1;
            multipliers[i] = exponent <= 9 ? pow10(9 - exponent) : 1;
            divisors[i] = exponent <= 9 ? 1 : pow10(Math.min(exponent - 9, 18));
        }
        return true;
    }

    int linkType(final int id)
    {
        return linkTypes[id];
    }

    int snapLength(final int id)
    {
        return snapLengths[id];
    }

    /** Epoch nanoseconds of a raw 64-bit timestamp of interface {@code id}. */
    long toNanos(final int id, final long units)
    {
        final int shift = binaryShifts[id];
        final long nanos;
        if (shift < 0)
        {
            final long divisor = divisors[id];
            nanos = divisor == 1 ? units * multipliers[id] : units / divisor;
        }
        else
        {
            final long seconds = units >>> shift;
            final long fraction = units & ((1L << shift) - 1);
            // keep fraction * 10^9 inside 63 bits by dropping fraction bits finer than a nanosecond could show
            final int drop = Math.max(0, shift - 33);
            nanos = seconds * NANOS_PER_SECOND + (((fraction >>> drop) * NANOS_PER_SECOND) >>> (shift - drop));
        }
        return nanos + offsetNanos[id];
    }

    private static long pow10(final int n)
    {
        long value = 1;
        for (int i = 0; i < n; i++)
        {
            value *= 10;
        }
        return value;
    }
}
