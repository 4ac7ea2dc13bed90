package org.egress25.policy;

import java.util.Arrays;
import java.util.List;
import org.egress25.host.Cidr;

/**
 * Longest-prefix lookup of the classes' blocks, asked twice per packet (source and destination), without
 * allocating.
 *
 * <p>Up to {@value #LINEAR_MAX} blocks are scanned longest first; the first hit is the answer. Beyond that
 * there is one small open-addressing hash table per distinct prefix length, probed longest length first,
 * so a lookup costs one masked hash probe per distinct length however many blocks an ISP lists. A short list
 * is faster scanned, a long one only hashed (benchmarks/NOTES.md, "Exemption lookup").
 *
 * <p>Among blocks given more than once, the first added wins.
 */
final class PrefixIndex
{
    static final int LINEAR_MAX = 16;

    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    /** For small sets: blocks longest first (stable), and their values. */
    private final Cidr[] scanBlocks;
    private final int[] scanValues;

    private final long[] maskHi;
    private final long[] maskLo;
    private final int[] shifts;
    private final long[][] keysHi;
    private final long[][] keysLo;
    /** Value + 1 per slot; 0 marks an empty slot. */
    private final int[][] values;

    /**
     * @param blocks the blocks, in priority order
     * @param values what a lookup returns for each block (e.g. an index into a class array)
     */
    PrefixIndex(final List<Cidr> blocks, final int[] values)
    {
        if (blocks.size() <= LINEAR_MAX)
        {
            final Integer[] order = new Integer[blocks.size()];
            for (int i = 0; i < order.length; i++)
            {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> blocks.get(b).bits() - blocks.get(a).bits());
            scanBlocks = new Cidr[order.length];
            scanValues = new int[order.length];
            for (int i = 0; i < order.length; i++)
            {
                scanBlocks[i] = blocks.get(order[i]);
                scanValues[i] = values[order[i]];
            }
            maskHi = null;
            maskLo = null;
            shifts = null;
            keysHi = null;
            keysLo = null;
            this.values = null;
            return;
        }
        scanBlocks = null;
        scanValues = null;
        final int[] lengths = blocks.stream().mapToInt(Cidr::bits).distinct()
            .boxed().sorted((a, b) -> b - a).mapToInt(Integer::intValue).toArray();
        final int n = lengths.length;
        maskHi = new long[n];
        maskLo = new long[n];
        shifts = new int[n];
        keysHi = new long[n][];
        keysLo = new long[n][];
        this.values = new int[n][];
        for (int i = 0; i < n; i++)
        {
            final int bits = lengths[i];
            maskHi[i] = Cidr.maskHi(bits);
            maskLo[i] = Cidr.maskLo(bits);
            int count = 0;
            for (final Cidr cidr : blocks)
            {
                count += cidr.bits() == bits ? 1 : 0;
            }
            // at most half full, so a probe sequence stays short
            final int size = Integer.highestOneBit(Math.max(2, count) * 2) << 1;
            shifts[i] = 64 - Integer.numberOfTrailingZeros(size);
            keysHi[i] = new long[size];
            keysLo[i] = new long[size];
            this.values[i] = new int[size];
        }
        final int[] levelOfBits = new int[129];
        for (int i = 0; i < n; i++)
        {
            levelOfBits[lengths[i]] = i;
        }
        for (int b = 0; b < blocks.size(); b++)
        {
            final Cidr cidr = blocks.get(b);
            insert(levelOfBits[cidr.bits()], cidr.hi(), cidr.lo(), values[b]);
        }
    }

    /** The value of the longest block containing the address, or -1 when none does. */
    int lookup(final long hi, final long lo)
    {
        final Cidr[] scan = scanBlocks;
        if (scan != null)
        {
            for (int i = 0; i < scan.length; i++)
            {
                if (scan[i].contains(hi, lo))
                {
                    return scanValues[i];
                }
            }
            return -1;
        }
        for (int level = 0; level < shifts.length; level++)
        {
            final long keyHi = hi & maskHi[level];
            final long keyLo = lo & maskLo[level];
            final long[] hs = keysHi[level];
            final long[] ls = keysLo[level];
            final int[] vs = values[level];
            final int mask = vs.length - 1;
            int slot = slot(keyHi, keyLo, shifts[level]);
            while (vs[slot] != 0)
            {
                if (hs[slot] == keyHi && ls[slot] == keyLo)
                {
                    return vs[slot] - 1;
                }
                slot = (slot + 1) & mask;
            }
        }
        return -1;
    }

    private void insert(final int level, final long hi, final long lo, final int value)
    {
        final long[] hs = keysHi[level];
        final long[] ls = keysLo[level];
        final int[] vs = values[level];
        final int mask = vs.length - 1;
        int slot = slot(hi, lo, shifts[level]);
        while (vs[slot] != 0)
        {
            if (hs[slot] == hi && ls[slot] == lo)
            {
                return; // the same block again: the first one keeps it
            }
            slot = (slot + 1) & mask;
        }
        hs[slot] = hi;
        ls[slot] = lo;
        vs[slot] = value + 1;
    }

    private static int slot(final long hi, final long lo, final int shift)
    {
        return (int)(((hi * GOLDEN) ^ Long.rotateLeft(lo, 29) ^ lo) * GOLDEN >>> shift);
    }
}
