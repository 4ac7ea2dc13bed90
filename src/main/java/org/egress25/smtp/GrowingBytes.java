package org.egress25.smtp;

import java.util.Arrays;

/**
 * Per-connection byte buffers made small and grown on demand. A mass sender keeps dozens of sessions open, each
 * slot holding line buffers and an address arena, while nearly every line and every session's addresses fit in a
 * few hundred bytes; buffers sized at their caps up front are most of what the SMTP analyser would allocate
 * (benchmarks/NOTES.md, "Per-connection SMTP buffers").
 */
final class GrowingBytes
{
    /** Where every such buffer starts. */
    static final int INITIAL = 256;

    private GrowingBytes()
    {
    }

    /**
     * {@code bytes} (made at {@link #INITIAL} bytes, or {@code cap} if smaller, when null) doubled until it holds
     * {@code needed} bytes or reaches {@code cap}; the contents are kept. The same array when it was big enough.
     */
    static byte[] atLeast(final byte[] bytes, final int needed, final int cap)
    {
        int size = bytes == null ? Math.min(INITIAL, cap) : bytes.length;
        while (size < needed && size < cap)
        {
            size = Math.min(cap, size * 2);
        }
        if (bytes == null)
        {
            return new byte[size];
        }
        return size > bytes.length ? Arrays.copyOf(bytes, size) : bytes;
    }
}
