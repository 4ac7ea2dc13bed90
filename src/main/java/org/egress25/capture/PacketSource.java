package org.egress25.capture;

import com.lmax.disruptor.RingBuffer;
import org.egress25.event.PacketEvent;

/**
 * Where frames come from: a live interface or a capture file. A source runs on a thread of its own, copies
 * each frame once into a claimed ring slot and publishes it. It is the ring's only producer.
 */
public interface PacketSource extends AutoCloseable
{
    /**
     * Publishes frames until the input ends or {@link #stop()} is called. Returns normally at the end of a
     * file; throws only for an input that cannot be read at all.
     */
    void run(RingBuffer<PacketEvent> ring) throws Exception;

    /** Asks {@link #run} to return soon; safe from any thread. */
    void stop();

    /** Counters for metrics; read from other threads. */
    CaptureStats stats();

    /** True for a live interface: a full ring then drops and counts instead of waiting. */
    boolean isLive();

    @Override
    default void close()
    {
    }
}
