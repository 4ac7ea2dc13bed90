package org.egress25.analysis;

import java.util.Arrays;

/**
 * Identity of tracked hosts: a primitive open-addressing index from an address (two longs) to a dense row
 * number, with no object per host. Callers keep their per-host data in their own arrays indexed by row and
 * grow them when {@link #capacity()} grows. Rows never move while occupied, so a row number stays valid
 * until the row is removed.
 *
 * <p>Layout: {@code index} is a power-of-two {@code int[]} of at least twice the row capacity (load factor
 * at most 0.5, so a linear probe finds a key or a hole within a couple of slots) holding {@code row + 1},
 * 0 for empty; deletion shifts the following probe run back instead of leaving tombstones, so a churning
 * table never degrades. Keys and {@code lastSeen} sit in their own arrays; a free row is marked by
 * {@code lastSeen == FREE} and threads the free list through {@code firstSeen}.
 *
 * <p>Cost per row: 16 bytes of key, 16 of first/last seen, and 4 to 8 of index (the index is a power of
 * two between 2 and 4 times the row capacity): 36 to 40 bytes. Rows double up to {@code maxRows}, one array
 * at a time, so a growth step briefly needs the old and new copy of one array, not of the whole table.
 */
final class HostTable
{
    static final long FREE = Long.MIN_VALUE;
    private static final int INITIAL_ROWS = 1024;
    private static final int SAMPLE = 8;

    private final int maxRows;
    long[] hi;
    long[] lo;
    long[] lastSeen;
    long[] firstSeen;
    private int[] index;
    private int indexMask;
    private int capacity;
    private int highWater;
    private int size;
    private int freeHead = -1;

    HostTable(final int maxRows)
    {
        if (maxRows < 1)
        {
            throw new IllegalArgumentException("maximum hosts must be at least 1, was " + maxRows);
        }
        this.maxRows = maxRows;
        allocate(Math.min(INITIAL_ROWS, maxRows));
        index = new int[indexSizeFor(capacity)];
        indexMask = index.length - 1;
    }

    private void allocate(final int rows)
    {
        hi = hi == null ? new long[rows] : Arrays.copyOf(hi, rows);
        lo = lo == null ? new long[rows] : Arrays.copyOf(lo, rows);
        lastSeen = lastSeen == null ? new long[rows] : Arrays.copyOf(lastSeen, rows);
        firstSeen = firstSeen == null ? new long[rows] : Arrays.copyOf(firstSeen, rows);
        Arrays.fill(lastSeen, capacity, rows, FREE);
        capacity = rows;
    }

    private static int indexSizeFor(final int rows)
    {
        return Integer.highestOneBit(Math.max(2, rows) * 2 - 1) << 1;
    }

    static int hash(final long hi, final long lo)
    {
        long h = hi * 0x9E37_79B9_7F4A_7C15L + lo;
        h ^= h >>> 33;
        h *= 0xff51_afd7_ed55_8ccdL;
        h ^= h >>> 33;
        h *= 0xc4ce_b9fe_1a85_ec53L;
        h ^= h >>> 33;
        return (int)h;
    }

    int size()
    {
        return size;
    }

    int capacity()
    {
        return capacity;
    }

    int maxRows()
    {
        return maxRows;
    }

    /** Rows ever handed out; every occupied row is below this. */
    int highWater()
    {
        return highWater;
    }

    boolean isFull()
    {
        return size >= maxRows;
    }

    boolean isOccupied(final int row)
    {
        return lastSeen[row] != FREE;
    }

    long bytesPerRow()
    {
        return 4L * Long.BYTES + (long)index.length * Integer.BYTES / Math.max(1, capacity);
    }

    /** Row of the host, or -1. */
    int find(final long keyHi, final long keyLo)
    {
        final int[] index = this.index;
        int i = hash(keyHi, keyLo) & indexMask;
        while (true)
        {
            final int entry = index[i];
            if (entry == 0)
            {
                return -1;
            }
            final int row = entry - 1;
            if (hi[row] == keyHi && lo[row] == keyLo)
            {
                return row;
            }
            i = (i + 1) & indexMask;
        }
    }

    /**
     * Adds a host not yet present and returns its row, growing the arrays when needed. The caller must make
     * room first when {@link #isFull()}. Check {@link #capacity()} afterwards to grow parallel arrays.
     */
    int insert(final long keyHi, final long keyLo, final long nowNanos)
    {
        if (size >= maxRows)
        {
            throw new IllegalStateException("host table full at " + maxRows + " rows");
        }
        if (freeHead < 0 && highWater == capacity)
        {
            grow();
        }
        final int row;
        if (freeHead >= 0)
        {
            row = freeHead;
            freeHead = (int)firstSeen[row];
        }
        else
        {
            row = highWater++;
        }
        hi[row] = keyHi;
        lo[row] = keyLo;
        lastSeen[row] = nowNanos;
        firstSeen[row] = nowNanos;
        place(row);
        size++;
        return row;
    }

    private void place(final int row)
    {
        int i = hash(hi[row], lo[row]) & indexMask;
        while (index[i] != 0)
        {
            i = (i + 1) & indexMask;
        }
        index[i] = row + 1;
    }

    private void grow()
    {
        final int rows = (int)Math.min(maxRows, Math.max(capacity * 2L, 1));
        allocate(rows);
        index = null;
        index = new int[indexSizeFor(rows)];
        indexMask = index.length - 1;
        for (int row = 0; row < highWater; row++)
        {
            if (lastSeen[row] != FREE)
            {
                place(row);
            }
        }
    }

    /** Forgets the host in {@code row}; the row goes on the free list. */
    void remove(final int row)
    {
        int i = hash(hi[row], lo[row]) & indexMask;
        while (index[i] != row + 1)
        {
            i = (i + 1) & indexMask;
        }
        int hole = i;
        int j = i;
        while (true)
        {
            j = (j + 1) & indexMask;
            final int entry = index[j];
            if (entry == 0)
            {
                break;
            }
            final int home = hash(hi[entry - 1], lo[entry - 1]) & indexMask;
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            final boolean homeBetween = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeBetween)
            {
                index[hole] = entry;
                hole = j;
            }
        }
        index[hole] = 0;
        lastSeen[row] = FREE;
        firstSeen[row] = freeHead;
        freeHead = row;
        size--;
    }

    /** Of a few occupied rows picked by {@code random}, the least recently seen (an approximate LRU victim). */
    int sampleVictim(final XorShift random)
    {
        int victim = -1;
        long oldest = Long.MAX_VALUE;
        for (int tries = 0, found = 0; found < SAMPLE && tries < SAMPLE * 16; tries++)
        {
            final int row = random.nextInt(highWater);
            if (lastSeen[row] == FREE)
            {
                continue;
            }
            found++;
            if (victim < 0 || lastSeen[row] - oldest < 0)
            {
                victim = row;
                oldest = lastSeen[row];
            }
        }
        if (victim < 0)
        {
            for (int row = 0; row < highWater; row++)
            {
                if (lastSeen[row] != FREE)
                {
                    return row;
                }
            }
        }
        return victim;
    }
}
