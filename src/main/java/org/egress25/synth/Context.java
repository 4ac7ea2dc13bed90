package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * What every host of one run shares: the wire, the resolvers, a block of random bytes that stands in
 * for encrypted payload, and a scratch buffer to lay payloads out in. Single-threaded, like the generator.
 */
final class Context
{
    /** 256 KiB of noise: payloads are slices of it at random offsets, so encryption costs one copy. */
    private static final int OPAQUE_SIZE = 256 * 1024;

    final Wire wire;
    final byte[] opaque = new byte[OPAQUE_SIZE];
    final byte[] scratch = new byte[OPAQUE_SIZE];
    /** The resolvers hosts ask, one per family; per run, so their IP-ID counters restart with the seed. */
    final Node resolverV4 = Node.outside(new byte[] {(byte)185, 12, 64, 1}, 4242);
    final Node resolverV6 = Node.outside(
        new byte[] {0x2a, 0x01, 0x04, (byte)0xf8, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, (byte)0xdd, 0x10, 0x10}, 4243);

    Context(final Wire wire, final long seed)
    {
        this.wire = wire;
        final SplittableRandom random = new SplittableRandom(seed ^ 0x6f70617175654cL);
        for (int i = 0; i < OPAQUE_SIZE; i += 8)
        {
            final long bits = random.nextLong();
            for (int b = 0; b < 8; b++)
            {
                opaque[i + b] = (byte)(bits >>> (8 * b));
            }
        }
    }

    Node resolver(final boolean v6)
    {
        return v6 ? resolverV6 : resolverV4;
    }

    /** Offset of a random slice of {@code length} opaque bytes. */
    int opaqueOffset(final SplittableRandom random, final int length)
    {
        return random.nextInt(OPAQUE_SIZE - length);
    }
}
