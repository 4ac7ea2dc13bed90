package org.egress25.decision;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.egress25.host.Action;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries decisions from the analysis thread to everything with a side effect (log file, enforcers,
 * reports, metrics) on a thread of its own, so a slow disk or a hung {@code nft} never stalls the packet
 * path. Decisions are rare (one per offending host per block period), so an unbounded queue of them
 * cannot grow with traffic; listeners get them in batches, which lets the nftables enforcer make one
 * transaction per batch.
 */
public final class DecisionDispatcher implements DecisionSink, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(DecisionDispatcher.class);
    private static final Decision POISON = new Decision(java.time.Instant.EPOCH, "-", Action.ALERT, "-", "-", null,
        null, Source.DETECTOR, 0);

    private final LinkedBlockingQueue<Decision> queue = new LinkedBlockingQueue<>();
    private final List<DecisionListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong listenerErrors = new AtomicLong();
    private final Thread thread;

    public DecisionDispatcher()
    {
        thread = new Thread(this::drain, "egress25-decisions");
        thread.setDaemon(true);
    }

    public void addListener(final DecisionListener listener)
    {
        listeners.add(listener);
    }

    public void start()
    {
        thread.start();
    }

    @Override
    public void accept(final Decision decision)
    {
        queue.add(decision);
    }

    public long listenerErrors()
    {
        return listenerErrors.get();
    }

    private void drain()
    {
        final List<Decision> batch = new ArrayList<>();
        boolean running = true;
        while (running)
        {
            try
            {
                final Decision first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null)
                {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 1023);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                running = false;
            }
            final int poison = batch.indexOf(POISON);
            if (poison >= 0)
            {
                running = false;
                batch.subList(poison, batch.size()).clear();
            }
            if (!batch.isEmpty())
            {
                deliver(batch);
                batch.clear();
            }
        }
        for (final DecisionListener listener : listeners)
        {
            try
            {
                listener.onClose();
            }
            catch (final RuntimeException e)
            {
                LOG.error("decision listener {} failed to close: {}", listener, e.toString());
            }
        }
    }

    private void deliver(final List<Decision> batch)
    {
        final List<Decision> view = List.copyOf(batch);
        for (final DecisionListener listener : listeners)
        {
            try
            {
                listener.onDecisions(view);
            }
            catch (final RuntimeException e)
            {
                listenerErrors.incrementAndGet();
                LOG.error("decision listener {} failed: {}", listener, e.toString());
            }
        }
    }

    /** Delivers everything queued so far, closes the listeners and stops the thread. */
    @Override
    public void close()
    {
        if (!thread.isAlive())
        {
            return;
        }
        queue.add(POISON);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
