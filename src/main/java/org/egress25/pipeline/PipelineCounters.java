package org.egress25.pipeline;

import java.util.concurrent.atomic.AtomicLongArray;
import org.egress25.capture.SourceCounters;
import org.egress25.decode.DecodeStatus;

/**
 * Counters of the analysis thread, read by the metrics scrape. The analysis thread is their only writer,
 * so an increment is a plain read and a release store ({@code setRelease}), which on x86 is an ordinary
 * store: no lock prefix, no contention, nothing allocated.
 */
public final class PipelineCounters implements SourceCounters
{
    private final AtomicLongArray byStatus = new AtomicLongArray(DecodeStatus.COUNT);
    /** Statuses of frames the capture thread decoded (replay pre-filter): a second single writer. */
    private final AtomicLongArray byStatusAtSource = new AtomicLongArray(DecodeStatus.COUNT);
    private final java.util.concurrent.atomic.AtomicLong filteredAtSource = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicLongArray totals = new AtomicLongArray(8);

    static final int PROCESSED = 0;
    static final int SMTP_SEGMENTS = 1;
    static final int TICKS = 2;
    static final int LAG_NANOS = 3;
    static final int CLOCK_NANOS = 4;
    static final int SOURCE_EXEMPT = 5;
    static final int DESTINATION_EXEMPT = 6;
    static final int HANDLER_ERRORS = 7;

    void countStatus(final int status)
    {
        bump(byStatus, status);
    }

    /** One more frame of {@code status} in {@code counts}; called by that array's single writer only. */
    private static void bump(final AtomicLongArray counts, final int status)
    {
        final int index = status >= 0 && status < DecodeStatus.COUNT ? status : DecodeStatus.COUNT - 1;
        counts.setRelease(index, counts.getPlain(index) + 1);
    }

    /** Called by the capture thread only, for every frame it decoded. */
    @Override
    public void countStatusAtSource(final int status)
    {
        bump(byStatusAtSource, status);
    }

    /** Called by the capture thread only: a decoded frame not on an SMTP port, dropped before the ring. */
    @Override
    public void countFilteredAtSource()
    {
        filteredAtSource.setRelease(filteredAtSource.getPlain() + 1);
    }

    /** Frames the capture thread decoded and left out of the ring (not TCP on an SMTP port). */
    public long filteredAtSource()
    {
        return filteredAtSource.getAcquire();
    }

    void increment(final int counter)
    {
        totals.setRelease(counter, totals.getPlain(counter) + 1);
    }

    void set(final int counter, final long value)
    {
        totals.setRelease(counter, value);
    }

    void incrementFromAnyThread(final int counter)
    {
        totals.incrementAndGet(counter);
    }

    /** Frames of this status, wherever they were decoded. */
    public long byStatus(final int status)
    {
        return byStatus.getAcquire(status) + byStatusAtSource.getAcquire(status);
    }

    /** Frames decoded (every status). */
    public long processed()
    {
        return totals.getAcquire(PROCESSED);
    }

    /** TCP segments between an inside client and an outside SMTP server, handed to the analysers. */
    public long smtpSegments()
    {
        return totals.getAcquire(SMTP_SEGMENTS);
    }

    public long ticks()
    {
        return totals.getAcquire(TICKS);
    }

    /** Wall clock minus capture time of the last processed frame (live capture only). */
    public long lagNanos()
    {
        return totals.getAcquire(LAG_NANOS);
    }

    /** The analysis clock: newest capture time seen, epoch nanoseconds. */
    public long clockNanos()
    {
        return totals.getAcquire(CLOCK_NANOS);
    }

    public long sourceExempt()
    {
        return totals.getAcquire(SOURCE_EXEMPT);
    }

    public long destinationExempt()
    {
        return totals.getAcquire(DESTINATION_EXEMPT);
    }

    public long handlerErrors()
    {
        return totals.getAcquire(HANDLER_ERRORS);
    }
}
