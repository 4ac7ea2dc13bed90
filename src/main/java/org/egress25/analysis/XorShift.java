package org.egress25.analysis;

/**
 * A small seeded generator (xorshift64*) for eviction sampling. Seeded with a constant, so a replay picks
 * the same victims every run and its decisions stay reproducible; {@code java.util.Random} would do too but
 * synchronises on every call.
 */
final class XorShift
{
    private long state;

    XorShift(final long seed)
    {
        state = seed == 0 ? 0x2545_F491_4F6C_DD1DL : seed;
    }

    long nextLong()
    {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return x * 0x2545_F491_4F6C_DD1DL;
    }

    /** Uniform enough in [0, bound) for sampling; bound must be positive. */
    int nextInt(final int bound)
    {
        return (int)((nextLong() >>> 33) % bound);
    }
}
