package org.egress25.smtp;

/**
 * Collects one CRLF-terminated line of one direction across segments, in a fixed buffer. A longer line is
 * cut at the buffer's size (its head is still parsed: the verb and address come first) and reported once.
 * After a gap the first line is marked as possibly a tail, so the caller can decide whether to trust it.
 */
final class LineBuffer
{
    /**
     * Made on the first byte (a slot whose connections never carry data, as in SYN floods, never pays for it)
     * and grown on demand up to the capacity ({@link GrowingBytes}).
     */
    byte[] bytes;
    private final int capacity;
    /** Bytes of the current line held (CR and LF excluded once complete). */
    int length;
    /** The line began right after a gap. */
    boolean resync;
    private boolean overflow;
    private boolean overflowReported;
    private boolean complete;

    LineBuffer(final int capacity)
    {
        this.capacity = capacity;
    }

    void reset()
    {
        length = 0;
        resync = false;
        overflow = false;
        overflowReported = false;
        complete = false;
    }

    /** Forgets the partial line: bytes are missing, the next line end resynchronises. */
    void gap()
    {
        reset();
        resync = true;
    }

    /** No byte of a new line yet, and no gap pending: where a TLS record would start. */
    boolean atCleanStart()
    {
        return complete || (length == 0 && !resync && !overflow);
    }

    /**
     * Takes bytes up to and including the next LF. Returns the index after what was consumed; when a line
     * ended there, {@link #complete()} is true until the next call and {@link #length} excludes CRs.
     */
    int append(final byte[] buffer, final int from, final int end)
    {
        if (complete)
        {
            complete = false;
            length = 0;
            resync = false;
            overflow = false;
            overflowReported = false;
        }
        final int lf = ByteScan.indexOfLf(buffer, from, end);
        bytes = GrowingBytes.atLeast(bytes, length + (lf - from), capacity);
        final int take = Math.min(lf - from, bytes.length - length);
        System.arraycopy(buffer, from, bytes, length, take);
        length += take;
        if (take < lf - from)
        {
            overflow = true;
        }
        if (lf == end)
        {
            return end;
        }
        // Some clients send CR CR LF: drop every trailing CR.
        while (length > 0 && bytes[length - 1] == '\r')
        {
            length--;
        }
        complete = true;
        return lf + 1;
    }

    boolean complete()
    {
        return complete;
    }

    /** True once per line, the first time it is asked after the line outgrew the buffer. */
    boolean takeOverflow()
    {
        if (overflow && !overflowReported)
        {
            overflowReported = true;
            return true;
        }
        return false;
    }
}
