package org.egress25.smtp;

import java.util.Arrays;

/**
 * Distinct 64-bit name hashes (HELO names, recipient domains) with the capture time each was last seen,
 * least recently seen first, so "how many distinct within the window" costs only the entries that fell out
 * of it. It replaces a {@code LinkedHashMap<Long, Long>} in access order: every session of every judged host
 * touches one or two of these, and the boxing and entry objects were a third of the session-end time.
 *
 * <p>Open addressing with linear probing over a doubly linked list kept in parallel arrays. Starts at 2
 * entries (most hosts use one HELO name and a few domains) and doubles up to {@code cap}; at the cap, adding a new hash forgets the least recently seen one,
 * so a host spraying random names costs a bounded table. Not thread-safe (analysis thread only).
 */
final class RecentHashes
{
    private static final int NONE = -1;

    private final int cap;
    private long[] hashes;
    private long[] seen;
    private int[] prev;
    private int[] next;
    /** Open-addressing index of entry numbers, NONE for empty cells; twice the entry capacity. */
    private int[] index;
    private int size;
    private int oldest = NONE;
    private int newest = NONE;

    RecentHashes(final int cap)
    {
        if (cap < 1)
        {
            throw new IllegalArgumentException("cap must be positive, was " + cap);
        }
        this.cap = cap;
        allocate(Math.min(2, cap));
    }

    int size()
    {
        return size;
    }

    /**
     * Heap bytes held, as grown so far: the object and five arrays (array headers of 16 bytes, compressed
     * oops). 40 bytes an entry at full size (two longs, two links, and the index of four ints per entry),
     * so a set at a cap of 4,096 holds 160 KB.
     */
    long retainedBytes()
    {
        return 48 + 5 * 16 + 8L * hashes.length + 8L * seen.length + 4L * prev.length + 4L * next.length
            + 4L * index.length;
    }

    /** Records {@code hash} as seen at {@code now}, forgetting the least recently seen hash when full. */
    void touch(final long hash, final long now)
    {
        int entry = find(hash);
        if (entry == NONE)
        {
            if (size == cap)
            {
                remove(oldest);
            }
            else if (size == hashes.length)
            {
                grow();
            }
            entry = size++;
            hashes[entry] = hash;
            insertIndex(entry);
        }
        else
        {
            unlink(entry);
        }
        seen[entry] = now;
        append(entry);
    }

    /** Forgets hashes last seen more than {@code window} before {@code now}; returns how many are left. */
    int countRecent(final long now, final long window)
    {
        while (oldest != NONE && now - seen[oldest] - window > 0)
        {
            remove(oldest);
        }
        return size;
    }

    private int find(final long hash)
    {
        final int mask = index.length - 1;
        int cell = mix(hash) & mask;
        while (index[cell] != NONE)
        {
            if (hashes[index[cell]] == hash)
            {
                return index[cell];
            }
            cell = (cell + 1) & mask;
        }
        return NONE;
    }

    private void insertIndex(final int entry)
    {
        final int mask = index.length - 1;
        int cell = mix(hashes[entry]) & mask;
        while (index[cell] != NONE)
        {
            cell = (cell + 1) & mask;
        }
        index[cell] = entry;
    }

    /** Removes an entry: its index cell by backward shift, then the last entry moves into its place. */
    private void remove(final int entry)
    {
        unlink(entry);
        deleteIndex(entry);
        final int last = --size;
        if (entry != last)
        {
            // Move the last entry into the hole, fixing its list neighbours and its index cell.
            hashes[entry] = hashes[last];
            seen[entry] = seen[last];
            prev[entry] = prev[last];
            next[entry] = next[last];
            if (prev[entry] != NONE)
            {
                next[prev[entry]] = entry;
            }
            else
            {
                oldest = entry;
            }
            if (next[entry] != NONE)
            {
                prev[next[entry]] = entry;
            }
            else
            {
                newest = entry;
            }
            index[cellOf(last, hashes[entry])] = entry;
        }
    }

    /** The index cell that holds {@code entry}, whose hash is {@code hash}. */
    private int cellOf(final int entry, final long hash)
    {
        final int mask = index.length - 1;
        int cell = mix(hash) & mask;
        while (index[cell] != entry)
        {
            cell = (cell + 1) & mask;
        }
        return cell;
    }

    private void deleteIndex(final int entry)
    {
        final int mask = index.length - 1;
        int hole = cellOf(entry, hashes[entry]);
        int cell = (hole + 1) & mask;
        while (index[cell] != NONE)
        {
            final int home = mix(hashes[index[cell]]) & mask;
            // The entry at cell may move into the hole when its home is not cyclically within (hole, cell].
            if (((cell - home) & mask) >= ((cell - hole) & mask))
            {
                index[hole] = index[cell];
                hole = cell;
            }
            cell = (cell + 1) & mask;
        }
        index[hole] = NONE;
    }

    private void unlink(final int entry)
    {
        final int p = prev[entry];
        final int n = next[entry];
        if (p != NONE)
        {
            next[p] = n;
        }
        else
        {
            oldest = n;
        }
        if (n != NONE)
        {
            prev[n] = p;
        }
        else
        {
            newest = p;
        }
    }

    private void append(final int entry)
    {
        prev[entry] = newest;
        next[entry] = NONE;
        if (newest != NONE)
        {
            next[newest] = entry;
        }
        else
        {
            oldest = entry;
        }
        newest = entry;
    }

    private void grow()
    {
        final int capacity = Math.min(cap, hashes.length * 2);
        hashes = Arrays.copyOf(hashes, capacity);
        seen = Arrays.copyOf(seen, capacity);
        prev = Arrays.copyOf(prev, capacity);
        next = Arrays.copyOf(next, capacity);
        index = new int[Integer.highestOneBit(capacity) << 2];
        Arrays.fill(index, NONE);
        for (int e = 0; e < size; e++)
        {
            insertIndex(e);
        }
    }

    private void allocate(final int capacity)
    {
        hashes = new long[capacity];
        seen = new long[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        index = new int[Integer.highestOneBit(capacity) << 2];
        Arrays.fill(index, NONE);
    }

    private static int mix(final long hash)
    {
        final long h = hash * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32));
    }
}
