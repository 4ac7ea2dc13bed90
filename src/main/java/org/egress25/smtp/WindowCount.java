package org.egress25.smtp;

/**
 * A count over a sliding window of capture time, kept in 12 buckets of window/12 each: the sum is exact to
 * within one bucket (5 minutes of a one-hour window), for 12 longs per counter instead of a timestamp per
 * event. The window is passed on each call so a rule reload that changes it simply restarts the count.
 */
final class WindowCount
{
    static final int BUCKETS = 12;

    private final long[] counts = new long[BUCKETS];
    private long bucketNanos;
    private long lastBucket;

    void add(final long nowNanos, final long windowNanos, final long n)
    {
        advance(nowNanos, windowNanos);
        counts[(int)Math.floorMod(lastBucket, (long)BUCKETS)] += n;
    }

    long sum(final long nowNanos, final long windowNanos)
    {
        advance(nowNanos, windowNanos);
        long total = 0;
        for (final long c : counts)
        {
            total += c;
        }
        return total;
    }

    private void advance(final long nowNanos, final long windowNanos)
    {
        final long width = Math.max(1, windowNanos / BUCKETS);
        final long bucket = Math.floorDiv(nowNanos, width);
        if (width != bucketNanos)
        {
            bucketNanos = width;
            java.util.Arrays.fill(counts, 0);
            lastBucket = bucket;
            return;
        }
        if (bucket - lastBucket >= BUCKETS)
        {
            java.util.Arrays.fill(counts, 0);
        }
        else
        {
            for (long b = lastBucket + 1; b <= bucket; b++)
            {
                counts[(int)Math.floorMod(b, (long)BUCKETS)] = 0;
            }
        }
        if (bucket > lastBucket)
        {
            lastBucket = bucket;
        }
    }
}
