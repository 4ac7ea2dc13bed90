package org.egress25.analysis;

import java.util.Arrays;

/**
 * The counters of every host row over one window length, as a "sliding window counter": two fixed buckets
 * per window (current and previous), aligned to multiples of the window on the capture clock, and the
 * estimate {@code current + previous * (1 - elapsedInCurrent / window)}. This assumes the previous
 * bucket's events were spread evenly; against an exact sliding log it is off by at most the previous
 * bucket's count times the fraction of it that is mis-weighted, and Cloudflare measured 0.003% of requests
 * wrongly judged over 400 million with it (https://blog.cloudflare.com/counting-things-a-lot-of-different-things/).
 * It costs two ints per counter instead of a log per event.
 *
 * <p>A row's current bucket is always the one holding its {@code lastSeen}: every counter update also moves
 * {@code lastSeen}, so the bucket number need not be stored (4 bytes per row and window saved). When the
 * clock has moved one bucket on, current becomes previous; two or more, both are empty.
 *
 * <p>Distinct destinations are a 128-bit bitmap per bucket and port group: a hash of the destination
 * address picks one bit. The estimate {@code popcount(cur) + popcount(prev & ~cur) * weight} counts bits,
 * and two destinations can share a bit, so it is a lower bound on the true number: a threshold comparison
 * never fires because of a collision. The expected shortfall for n distinct destinations is
 * {@code n - 128 * (1 - (127/128)^n)}: 0.3 at n = 10, 1.4 at n = 20, 8.5 at n = 50, 30 at n = 100, and the
 * reading saturates towards 128 (101 for 200 destinations, 116 for 300), so thresholds up to about 30 are
 * judged almost exactly and anything above about 60 should be written as an attempts rule instead. A
 * mass-sender to hundreds of destinations still reads above 100, far beyond the default limit of 10.
 *
 * <p>Bitmaps take 64 of the 96 bytes a window costs per row, so they exist only for windows that some
 * distinct-destinations rule watches (the defaults watch only 5 minutes).
 */
final class WindowSlot
{
    static final int GROUPS = 2;
    static final int RELAY = 0;
    static final int SUBMISSION = 1;
    static final int ATTEMPTS = 0;
    static final int FAILURES = 1;

    /** Per row: for relay then submission, attempts (cur, prev) then failures (cur, prev). */
    private static final int COUNT_STRIDE = 8;
    /** Per row: for relay then submission, current bitmap (two longs) then previous bitmap (two longs). */
    private static final int BITS_STRIDE = 8;

    long windowNanos;
    private int[] counts = new int[0];
    private long[] bits;
    /**
     * The bucket the capture clock is in, cached: a long division costs 20 to 40 cycles, and a SYN's
     * evaluation would otherwise do about thirty of them (two per window read, several reads per detector).
     * With the cache the usual event divides nothing.
     */
    private long cachedStart = Long.MIN_VALUE;
    private long cachedBucket;
    private double inverseWindow;

    /** Takes a (new) window length; every row's counters restart from zero. */
    void assign(final long windowNanos, final int rows, final boolean distinct)
    {
        this.windowNanos = windowNanos;
        this.inverseWindow = 1.0 / windowNanos;
        this.cachedStart = Long.MIN_VALUE;
        counts = new int[rows * COUNT_STRIDE];
        bits = distinct ? new long[rows * BITS_STRIDE] : null;
    }

    /**
     * Starts or stops bitmaps for a window already counting. New bitmaps read low (never high) until one
     * window has passed.
     */
    void distinct(final boolean wanted, final int rows)
    {
        if (wanted && bits == null)
        {
            bits = new long[rows * BITS_STRIDE];
        }
        else if (!wanted)
        {
            bits = null;
        }
    }

    /** No rule uses this slot any more: give its memory back. */
    void release()
    {
        windowNanos = 0;
        counts = new int[0];
        bits = null;
    }

    boolean hasDistinct()
    {
        return bits != null;
    }

    boolean inUse()
    {
        return windowNanos != 0;
    }

    void grow(final int rows)
    {
        counts = Arrays.copyOf(counts, rows * COUNT_STRIDE);
        if (bits != null)
        {
            bits = Arrays.copyOf(bits, rows * BITS_STRIDE);
        }
    }

    long bytesPerRow()
    {
        return COUNT_STRIDE * Integer.BYTES + (bits == null ? 0 : BITS_STRIDE * Long.BYTES);
    }

    void clearRow(final int row)
    {
        Arrays.fill(counts, row * COUNT_STRIDE, row * COUNT_STRIDE + COUNT_STRIDE, 0);
        if (bits != null)
        {
            Arrays.fill(bits, row * BITS_STRIDE, row * BITS_STRIDE + BITS_STRIDE, 0L);
        }
    }

    /**
     * Buckets between the row's last update and now: 0 same bucket, 1 the next, 2 or more all stale. A clock
     * behind the row (a capture slightly out of order) reads as the same bucket.
     */
    private long shift(final long lastSeenNanos, final long nowNanos)
    {
        return Math.max(0, bucketOf(nowNanos) - bucketOf(lastSeenNanos));
    }

    /** Bucket number of a time, from the cache when it falls in the clock's bucket; the cache follows the clock. */
    private long bucketOf(final long nanos)
    {
        final long offset = nanos - cachedStart;
        if (cachedStart != Long.MIN_VALUE && offset >= 0 && offset < windowNanos)
        {
            return cachedBucket;
        }
        final long bucket = nanos / windowNanos;
        if (cachedStart == Long.MIN_VALUE || offset >= windowNanos)
        {
            cachedBucket = bucket;
            cachedStart = bucket * windowNanos;
        }
        return bucket;
    }

    /** Weight of the previous bucket at {@code nowNanos}: 1 at the start of the current bucket, 0 at its end. */
    double weight(final long nowNanos)
    {
        final long start = bucketOf(nowNanos) == cachedBucket ? cachedStart : nowNanos / windowNanos * windowNanos;
        return 1.0 - (nowNanos - start) * inverseWindow;
    }

    /** Moves the row's buckets on to the one holding {@code nowNanos}; call before {@code lastSeen} moves. */
    void roll(final int row, final long lastSeenNanos, final long nowNanos)
    {
        final long shift = shift(lastSeenNanos, nowNanos);
        if (shift <= 0)
        {
            return;
        }
        final int c = row * COUNT_STRIDE;
        final int b = row * BITS_STRIDE;
        if (shift == 1)
        {
            for (int i = 0; i < COUNT_STRIDE; i += 2)
            {
                counts[c + i + 1] = counts[c + i];
                counts[c + i] = 0;
            }
            if (bits != null)
            {
                for (int i = 0; i < BITS_STRIDE; i += 4)
                {
                    bits[b + i + 2] = bits[b + i];
                    bits[b + i + 3] = bits[b + i + 1];
                    bits[b + i] = 0;
                    bits[b + i + 1] = 0;
                }
            }
            return;
        }
        clearRow(row);
    }

    /**
     * Takes away from {@code row} what {@code from} counted for {@code fromRow} (never below zero), both rows
     * rolled to the same bucket; and forgets the row's destination bitmaps, which cannot be taken apart, so
     * its distinct-destinations reading stays a lower bound. For a prefix giving up the share of an address
     * that was blocked on its own evidence.
     */
    void subtract(final int row, final WindowSlot from, final int fromRow)
    {
        final int c = row * COUNT_STRIDE;
        final int f = fromRow * COUNT_STRIDE;
        for (int i = 0; i < COUNT_STRIDE; i++)
        {
            counts[c + i] = Math.max(0, counts[c + i] - from.counts[f + i]);
        }
        if (bits != null)
        {
            Arrays.fill(bits, row * BITS_STRIDE, row * BITS_STRIDE + BITS_STRIDE, 0L);
        }
    }

    /** {@link #clearRow} on every slot in use: a new host or prefix in {@code row}. */
    static void clearRow(final WindowSlot[] slots, final int row)
    {
        for (final WindowSlot w : slots)
        {
            if (w.inUse())
            {
                w.clearRow(row);
            }
        }
    }

    /** {@link #roll} on every slot in use. */
    static void roll(final WindowSlot[] slots, final int row, final long lastSeenNanos, final long nowNanos)
    {
        for (final WindowSlot w : slots)
        {
            if (w.inUse())
            {
                w.roll(row, lastSeenNanos, nowNanos);
            }
        }
    }

    /** {@link #grow} on every slot in use. */
    static void grow(final WindowSlot[] slots, final int rows)
    {
        for (final WindowSlot w : slots)
        {
            if (w.inUse())
            {
                w.grow(rows);
            }
        }
    }

    /** Counts one event of {@code metric} in the row's current bucket (saturating, never wrapping). */
    void add(final int row, final int group, final int metric)
    {
        final int i = row * COUNT_STRIDE + group * 4 + metric * 2;
        if (counts[i] != Integer.MAX_VALUE)
        {
            counts[i]++;
        }
    }

    /** Marks destination bit {@code bit} (0..127) in the row's current bitmap of the group. */
    void mark(final int row, final int group, final int bit)
    {
        if (bits != null)
        {
            bits[row * BITS_STRIDE + group * 4 + (bit >>> 6)] |= 1L << bit;
        }
    }

    /**
     * Estimated count of {@code metric} over the window ending at {@code nowNanos}, summed over the groups in
     * {@code groupMask} (bit 0 relay, bit 1 submission). Reads without moving the buckets.
     */
    double estimate(final int row, final int groupMask, final int metric, final long lastSeenNanos, final long nowNanos)
    {
        final long shift = shift(lastSeenNanos, nowNanos);
        if (shift > 1)
        {
            return 0;
        }
        final double weight = weight(nowNanos);
        double total = 0;
        for (int g = 0; g < GROUPS; g++)
        {
            if ((groupMask & (1 << g)) == 0)
            {
                continue;
            }
            final int i = row * COUNT_STRIDE + g * 4 + metric * 2;
            final long cur = shift == 0 ? counts[i] : 0;
            final long prev = shift == 0 ? counts[i + 1] : counts[i];
            total += cur + prev * weight;
        }
        return total;
    }

    /** Count in the current bucket alone (exact), as of the row's last update. */
    int current(final int row, final int group, final int metric)
    {
        return counts[row * COUNT_STRIDE + group * 4 + metric * 2];
    }

    /** Count in the previous bucket, as of the row's last update. */
    int previous(final int row, final int group, final int metric)
    {
        return counts[row * COUNT_STRIDE + group * 4 + metric * 2 + 1];
    }

    /** Lower-bound estimate of distinct destinations (see the class javadoc), or -1 without bitmaps. */
    double distinct(final int row, final int groupMask, final long lastSeenNanos, final long nowNanos)
    {
        if (bits == null)
        {
            return -1;
        }
        final long shift = shift(lastSeenNanos, nowNanos);
        if (shift > 1)
        {
            return 0;
        }
        long cur0 = 0;
        long cur1 = 0;
        long prev0 = 0;
        long prev1 = 0;
        for (int g = 0; g < GROUPS; g++)
        {
            if ((groupMask & (1 << g)) == 0)
            {
                continue;
            }
            final int i = row * BITS_STRIDE + g * 4;
            if (shift == 0)
            {
                cur0 |= bits[i];
                cur1 |= bits[i + 1];
                prev0 |= bits[i + 2];
                prev1 |= bits[i + 3];
            }
            else
            {
                prev0 |= bits[i];
                prev1 |= bits[i + 1];
            }
        }
        final int fresh = Long.bitCount(cur0) + Long.bitCount(cur1);
        final int older = Long.bitCount(prev0 & ~cur0) + Long.bitCount(prev1 & ~cur1);
        return fresh + older * weight(nowNanos);
    }
}
