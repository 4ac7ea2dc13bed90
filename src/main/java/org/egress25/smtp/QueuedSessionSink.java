package org.egress25.smtp;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves session-log writing off the analysis thread: a finished session is handed over in a bounded queue
 * and written by a thread of its own, so a slow disk costs at most dropped log lines (counted), never a
 * stalled ring. In replay the queue applies backpressure instead, so a replay's session log is complete.
 */
public final class QueuedSessionSink implements SessionSink, Closeable
{
    private static final Logger LOG = LoggerFactory.getLogger(QueuedSessionSink.class);

    private final SessionSink target;
    private final ArrayBlockingQueue<Object> queue;
    private final boolean dropWhenFull;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private final Object end = new Object();

    /**
     * @param target       the writer, called on this sink's own thread
     * @param capacity     sessions that may wait
     * @param dropWhenFull live capture: drop and count; replay: wait
     */
    public QueuedSessionSink(final SessionSink target, final int capacity, final boolean dropWhenFull)
    {
        this.target = target;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.dropWhenFull = dropWhenFull;
        this.thread = new Thread(this::drain, "egress25-sessions");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void accept(final SessionRecord session)
    {
        if (dropWhenFull)
        {
            if (!queue.offer(session))
            {
                dropped.incrementAndGet();
            }
            return;
        }
        try
        {
            queue.put(session);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Session records not written because the queue was full (live capture only). */
    public long dropped()
    {
        return dropped.get();
    }

    private void drain()
    {
        final List<Object> batch = new ArrayList<>();
        while (true)
        {
            try
            {
                final Object first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null)
                {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 1023);
                for (final Object item : batch)
                {
                    if (item == end)
                    {
                        flush();
                        return;
                    }
                    target.accept((SessionRecord)item);
                }
                batch.clear();
                flush();
            }
            catch (final InterruptedException e)
            {
                return;
            }
            catch (final RuntimeException e)
            {
                LOG.error("session log: {}", e.getMessage());
                batch.clear();
            }
        }
    }

    private void flush()
    {
        if (target instanceof Flushable f)
        {
            try
            {
                f.flush();
            }
            catch (final IOException e)
            {
                LOG.error("session log: {}", e.getMessage());
            }
        }
    }

    /** Writes what is queued, then closes the target. */
    @Override
    public void close() throws IOException
    {
        try
        {
            queue.put(end);
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (target instanceof Closeable c)
        {
            c.close();
        }
    }
}
