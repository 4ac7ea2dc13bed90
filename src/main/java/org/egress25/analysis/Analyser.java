package org.egress25.analysis;

import org.egress25.event.PacketEvent;

/**
 * A per-host detector on the analysis thread. It owns its state outright (single writer): nothing else
 * reads or writes it except through commands the pipeline runs between events.
 *
 * <p>Implementations must not allocate per segment; they may allocate when a decision fires.
 */
public interface Analyser
{
    /**
     * A decoded TCP segment between an inside client and an outside server's SMTP port
     * ({@code event.direction != DIR_NONE}). Time is {@code event.timestampNanos}.
     */
    void onSegment(PacketEvent event);

    /** The capture clock moved to {@code nowNanos} (a packet or a quiet-wire tick): run due timeouts. */
    void onTick(long nowNanos);

    /** End of input (replay finished, or shutdown): flush what is pending as of {@code nowNanos}. */
    default void onEnd(final long nowNanos)
    {
    }
}
