package org.egress25.smtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finding the next line feed eight bytes at a time. Message bodies are most of an SMTP session's bytes and
 * only their line starts matter, so the body skip is a search for LF; reading a long per step and testing all
 * eight bytes at once (the "has zero byte" trick, Hacker's Delight 6-1) takes about an eighth of the loop
 * iterations of a byte-by-byte scan.
 */
final class ByteScan
{
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LF_BYTES = 0x0a0a_0a0a_0a0a_0a0aL;
    private static final long LOW_BITS = 0x0101_0101_0101_0101L;
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private ByteScan()
    {
    }

    /** Index of the first LF in {@code buffer[from, end)}, or {@code end} when there is none. */
    static int indexOfLf(final byte[] buffer, final int from, final int end)
    {
        int at = from;
        while (at + Long.BYTES <= end)
        {
            final long x = (long)LONGS.get(buffer, at) ^ LF_BYTES;
            // A byte of x is zero where the input had LF; the lowest flagged byte is always a true one.
            final long found = (x - LOW_BITS) & ~x & HIGH_BITS;
            if (found != 0)
            {
                return at + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            at += Long.BYTES;
        }
        while (at < end && buffer[at] != '\n')
        {
            at++;
        }
        return at;
    }
}
