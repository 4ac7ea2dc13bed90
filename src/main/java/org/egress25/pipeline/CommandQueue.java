package org.egress25.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * How other threads act on analyser state without touching it (single-writer principle, after Aeron's
 * *Proxy classes): they enqueue a command, and the analysis thread runs it between events, at the end of
 * each batch and on every clock tick (at least once a second on a live interface).
 */
public final class CommandQueue
{
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();

    /** Runs {@code command} on the analysis thread and completes with its result. */
    public <T> CompletableFuture<T> submit(final Supplier<T> command)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        queue.add(() ->
        {
            try
            {
                result.complete(command.get());
            }
            catch (final RuntimeException e)
            {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Called by the analysis thread only. */
    void runPending()
    {
        Runnable command;
        while ((command = queue.poll()) != null)
        {
            command.run();
        }
    }
}
