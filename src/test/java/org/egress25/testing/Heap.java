package org.egress25.testing;

/** Test-only: heap figures for the footprint tests that run in a child JVM with a heap limit. */
public final class Heap
{
    private Heap()
    {
    }

    /** Heap in use after a full collection, the least of three tries (a collection may leave some garbage). */
    public static long usedAfterGc()
    {
        final Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
