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
 * table never degrades. A row's key, {@code lastSeen} and {@code firstSeen} sit side by side in one
 * {@code long[]} (32 bytes, half a cache line), so a lookup of a host not in cache costs two misses, the
 * index slot and the row, instead of one per field. A free row is marked by {@code lastSeen == FREE} and
 * threads the free list through {@code firstSeen}.
 *
 * <p>Cost per row: 16 bytes of key, 16 of first/last seen, and 4 to 8 of index (the index is a power of
 * two between 2 and 4 times the row capacity): 36 to 40 bytes. Rows double up to {@code maxRows}.
 */
final class HostTable
{
    static final long FREE = Long.MIN_VALUE;
    private static final int INITIAL_ROWS = 1024;
    private static final int SAMPLE = 8;

    private final int maxRows;
    private static final int STRIDE = 4;
    private static final int HI = 0;
    private static final int LO = 1;
    private static final int LAST_SEEN = 2;
    private static final int FIRST_SEEN = 3;

    private long[] rows = new long[0];
    private int[] index;
    private int indexMask;
    private int capacity;
    private int highWater;
    private int size;
    private int freeHead = -1;
    private int sweepCursor;

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

    private void allocate(final int newCapacity)
    {
        rows = Arrays.copyOf(rows, newCapacity * STRIDE);
        for (int row = capacity; row < newCapacity; row++)
        {
            rows[row * STRIDE + LAST_SEEN] = FREE;
        }
        capacity = newCapacity;
    }

    long hi(final int row)
    {
        return rows[row * STRIDE + HI];
    }

    long lo(final int row)
    {
        return rows[row * STRIDE + LO];
    }

    long lastSeen(final int row)
    {
        return rows[row * STRIDE + LAST_SEEN];
    }

    void lastSeen(final int row, final long nanos)
    {
        rows[row * STRIDE + LAST_SEEN] = nanos;
    }

    long firstSeen(final int row)
    {
        return rows[row * STRIDE + FIRST_SEEN];
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
        return rows[row * STRIDE + LAST_SEEN] != FREE;
    }

    long bytesPerRow()
    {
        return STRIDE * Long.BYTES + (long)index.length * Integer.BYTES / Math.max(1, capacity);
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
            final int base = (entry - 1) * STRIDE;
            if (rows[base + LO] == keyLo && rows[base + HI] == keyHi)
            {
                return entry - 1;
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
            freeHead = (int)rows[row * STRIDE + FIRST_SEEN];
        }
        else
        {
            row = highWater++;
        }
        final int base = row * STRIDE;
        rows[base + HI] = keyHi;
        rows[base + LO] = keyLo;
        rows[base + LAST_SEEN] = nowNanos;
        rows[base + FIRST_SEEN] = nowNanos;
        place(row);
        size++;
        return row;
    }

    private void place(final int row)
    {
        int i = hash(hi(row), lo(row)) & indexMask;
        while (index[i] != 0)
        {
            i = (i + 1) & indexMask;
        }
        index[i] = row + 1;
    }

    private void grow()
    {
        final int newCapacity = (int)Math.min(maxRows, Math.max(capacity * 2L, 1));
        allocate(newCapacity);
        index = null;
        index = new int[indexSizeFor(newCapacity)];
        indexMask = index.length - 1;
        for (int row = 0; row < highWater; row++)
        {
            if (isOccupied(row))
            {
                place(row);
            }
        }
    }

    /** Forgets the host in {@code row}; the row goes on the free list. */
    void remove(final int row)
    {
        int i = hash(hi(row), lo(row)) & indexMask;
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
            final int home = hash(hi(entry - 1), lo(entry - 1)) & indexMask;
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            final boolean homeBetween = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!homeBetween)
            {
                index[hole] = entry;
                hole = j;
            }
        }
        index[hole] = 0;
        rows[row * STRIDE + LAST_SEEN] = FREE;
        rows[row * STRIDE + FIRST_SEEN] = freeHead;
        freeHead = row;
        size--;
    }

    /**
     * One step of an incremental idle sweep: visits {@code budget} rows from where the last step stopped and
     * removes those unseen for more than {@code idleNanos}; returns how many it removed.
     */
    int evictIdle(final int budget, final long nowNanos, final long idleNanos)
    {
        int row = sweepCursor;
        int removed = 0;
        for (int n = 0; n < budget; n++)
        {
            if (row >= highWater)
            {
                row = 0;
            }
            if (isOccupied(row) && nowNanos - lastSeen(row) > idleNanos)
            {
                remove(row);
                removed++;
            }
            row++;
        }
        sweepCursor = row;
        return removed;
    }

    int sampleVictim(final XorShift random)
    {
        int victim = -1;
        long oldest = Long.MAX_VALUE;
        for (int tries = 0, found = 0; found < SAMPLE && tries < SAMPLE * 16; tries++)
        {
            final int row = random.nextInt(highWater);
            if (!isOccupied(row))
            {
                continue;
            }
            found++;
            if (victim < 0 || lastSeen(row) - oldest < 0)
            {
                victim = row;
                oldest = lastSeen(row);
            }
        }
        if (victim < 0)
        {
            for (int row = 0; row < highWater; row++)
            {
                if (isOccupied(row))
                {
                    return row;
                }
            }
        }
        return victim;
    }
}
