package org.egress25.capture;

/**
 * Where a source that decodes frames itself (a replay's pre-filter) counts them; the pipeline's counters
 * implement it, so the metrics show one set of decode statuses whichever thread decoded. Called by the capture
 * thread only, the counters' single writer for these.
 */
public interface SourceCounters
{
    /** One more frame decoded at the source with {@code status}, a {@code DecodeStatus} code. */
    void countStatusAtSource(int status);

    /** One more decoded frame not on an SMTP port, dropped before the ring. */
    void countFilteredAtSource();
}
