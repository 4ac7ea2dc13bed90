package org.egress25.pipeline;

import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.egress25.capture.PacketSource;
import org.egress25.event.PacketEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires a packet source, the ring and the processor, and runs them: one capture thread (the ring's single
 * producer) and one analysis thread (its single consumer).
 *
 * <p>Wait strategy: busy-spin strategies starve the kernel and the GC on a two-core gateway (measured), so
 * a replay uses {@link YieldingWaitStrategy} (lowest latency that still yields the core; a replay always
 * has the next frame ready). A live capture spins, then yields, for {@value #LIVE_SPIN_MICROS} +
 * {@value #LIVE_YIELD_MICROS} µs and then blocks until the capture thread publishes
 * ({@link PhasedBackoffWaitStrategy#withLiteLock}): above ~10 k packets/s the analyser never reaches the
 * lock, so the capture thread pays no wake-up, and a quiet wire costs nothing. Disruptor's
 * {@code SleepingWaitStrategy}, used before, parks for 100 ns at a time, which Linux's 50 µs timer slack
 * turns into ~20 k wake-ups a second: an idle live instance used 12-15% of a core on its analysis thread
 * alone (/proc CPU time over 30 s on a quiet veth, two runs), against 0.17% for the whole process with this
 * strategy ({@code IdleLiveInstanceIT} holds it under 1%). A live pipeline also publishes a clock tick
 * every second so timeouts and operator commands run when no packet arrives; that tick is what wakes the
 * analysis thread on a quiet wire.
 *
 * <p>Producers: a replay has exactly one (the file reader), so the ring is single-producer and a claim
 * is a plain store. A live ring has two (the libpcap callback and the ticker, since {@code pcap_loop} does
 * not return on a quiet wire), so it is multi-producer; its CAS per claim is a few nanoseconds against
 * the ~800 ns pcap4j spends delivering each packet.
 */
public final class Pipeline implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    static final long LIVE_SPIN_MICROS = 10;
    static final long LIVE_YIELD_MICROS = 100;

    private final PacketSource source;
    private final PacketProcessor processor;
    private final Disruptor<PacketEvent> disruptor;
    private final RingBuffer<PacketEvent> ring;
    private final AtomicReference<Throwable> sourceFailure = new AtomicReference<>();
    private final DistinctErrorHandler errors;
    private final Thread sourceThread;
    private Thread tickThread;
    private volatile boolean running;

    /**
     * @param ringSize   slots, a power of two; each holds a frame of {@code snapLength} bytes
     * @param snapLength largest frame kept
     */
    public Pipeline(
        final PacketSource source,
        final PacketProcessor processor,
        final PipelineCounters counters,
        final int ringSize,
        final int snapLength)
    {
        this.source = source;
        this.processor = processor;
        final WaitStrategy wait = source.isLive()
            ? PhasedBackoffWaitStrategy.withLiteLock(LIVE_SPIN_MICROS, LIVE_YIELD_MICROS, TimeUnit.MICROSECONDS)
            : new YieldingWaitStrategy();
        this.disruptor = new Disruptor<>(PacketEvent.factory(snapLength), ringSize,
            r -> named(r, "egress25-analysis"), source.isLive() ? ProducerType.MULTI : ProducerType.SINGLE, wait);
        disruptor.handleEventsWith(processor);
        this.errors = new DistinctErrorHandler(counters);
        disruptor.setDefaultExceptionHandler(errors);
        this.ring = disruptor.getRingBuffer();
        this.sourceThread = named(this::runSource, "egress25-capture");
    }

    private static Thread named(final Runnable r, final String name)
    {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public void start()
    {
        running = true;
        disruptor.start();
        sourceThread.start();
        if (source.isLive())
        {
            tickThread = named(this::tick, "egress25-ticker");
            tickThread.start();
        }
    }

    private void runSource()
    {
        try
        {
            source.run(ring);
        }
        catch (final Throwable t)
        {
            sourceFailure.set(t);
            LOG.error("capture from {} failed: {}", source, t.getMessage());
        }
        finally
        {
            publishEnd();
        }
    }

    /** The end marker goes through the ring like a packet, so it is processed after every frame before it. */
    private void publishEnd()
    {
        final long seq = ring.next();
        final PacketEvent event = ring.get(seq);
        event.kind = PacketEvent.KIND_END;
        event.captureLength = 0;
        ring.publish(seq);
    }

    private void tick()
    {
        while (running)
        {
            try
            {
                Thread.sleep(1000);
            }
            catch (final InterruptedException e)
            {
                return;
            }
            final long seq;
            try
            {
                seq = ring.tryNext();
            }
            catch (final com.lmax.disruptor.InsufficientCapacityException e)
            {
                continue; // a full ring is busy enough to drive the clock itself
            }
            {
                final PacketEvent event = ring.get(seq);
                event.kind = PacketEvent.KIND_TICK;
                event.captureLength = 0;
                event.timestampNanos = System.currentTimeMillis() * 1_000_000L;
                ring.publish(seq);
            }
        }
    }

    /**
     * Waits until the source has ended and every frame has been analysed (replay), or until {@link #close}
     * is called (live). Returns the source's failure, or null.
     */
    public Throwable awaitCompletion() throws InterruptedException
    {
        processor.awaitEnd();
        return sourceFailure.get();
    }

    /** The analysis thread's errors, each distinct one with its count and first and last time. */
    public DistinctErrorHandler errors()
    {
        return errors;
    }

    public RingBuffer<PacketEvent> ring()
    {
        return ring;
    }

    public PacketSource source()
    {
        return source;
    }

    /** Stops the source, lets the analysers flush, and halts the ring. */
    @Override
    public void close()
    {
        running = false;
        source.stop();
        if (tickThread != null)
        {
            tickThread.interrupt();
        }
        try
        {
            sourceThread.join(5000);
            processor.awaitEnd();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        disruptor.halt();
    }
}
