package org.egress25.capture;

/**
 * Capture-side counters, written by the capture thread and read by the metrics scrape. Each field has one
 * writer, so plain volatile stores are enough (no read-modify-write races).
 */
public final class CaptureStats
{
    /** Frames handed to us by libpcap or read from the file. */
    volatile long captured;
    /** Frames published into the ring. */
    volatile long published;
    /** Frames dropped because the ring was full (live capture only; replay waits instead). */
    volatile long ringFull;
    /** libpcap's ps_recv, ps_drop and ps_ifdrop (live capture only). */
    volatile long pcapReceived;
    volatile long pcapDropped;
    volatile long pcapIfDropped;
    /** File bytes consumed and total (replay progress; total -1 when unknown, e.g. gzip). */
    volatile long bytesRead;
    volatile long bytesTotal = -1;
    /** Capture time of the newest frame, epoch nanoseconds. */
    volatile long lastTimestampNanos;
    /** Replay: 1 when the file ended inside a record (a capture copied while being written). */
    volatile long truncatedRecords;
    /** Replay: records that claim more captured bytes than the packet had on the wire (caplen > len). */
    volatile long capturedBeyondWire;

    public long captured()
    {
        return captured;
    }

    public long published()
    {
        return published;
    }

    public long ringFull()
    {
        return ringFull;
    }

    public long pcapReceived()
    {
        return pcapReceived;
    }

    public long pcapDropped()
    {
        return pcapDropped;
    }

    public long pcapIfDropped()
    {
        return pcapIfDropped;
    }

    public long bytesRead()
    {
        return bytesRead;
    }

    public long bytesTotal()
    {
        return bytesTotal;
    }

    public long lastTimestampNanos()
    {
        return lastTimestampNanos;
    }

    public long truncatedRecords()
    {
        return truncatedRecords;
    }

    public long capturedBeyondWire()
    {
        return capturedBeyondWire;
    }
}
