package org.egress25.decode;

/** Unsigned network-order reads from a frame; callers have already checked the bytes are captured. */
final class Bytes
{
    private Bytes()
    {
    }

    static int u8(final byte[] b, final int at)
    {
        return b[at] & 0xff;
    }

    static int u16(final byte[] b, final int at)
    {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long u32(final byte[] b, final int at)
    {
        return ((long)u16(b, at) << 16) | u16(b, at + 2);
    }

    static long u32LittleEndian(final byte[] b, final int at)
    {
        return ((long)(b[at + 3] & 0xff) << 24) | ((b[at + 2] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at] & 0xff);
    }

    static long u64(final byte[] b, final int at)
    {
        return (u32(b, at) << 32) | u32(b, at + 4);
    }
}
