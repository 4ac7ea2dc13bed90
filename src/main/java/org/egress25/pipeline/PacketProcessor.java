package org.egress25.pipeline;

import com.lmax.disruptor.EventHandler;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.egress25.analysis.Analyser;
import org.egress25.decode.DecodeStatus;
import org.egress25.decode.FrameDecoder;
import org.egress25.decode.Orientation;
import org.egress25.event.PacketEvent;
import org.egress25.policy.Policy;

/**
 * The ring's consumer: decode, orient, analyse, all on one thread that owns every analyser's state.
 *
 * <p>Decoding happens here rather than on the capture thread so the capture thread does nothing but copy
 * (a live capture thread that falls behind loses packets in the kernel). With two cores, one producer and
 * one consumer keep both busy; a third stage thread would only add a hand-off.
 *
 * <p>Orientation (direction and host class) is {@link Orientation}'s.
 */
public final class PacketProcessor implements EventHandler<PacketEvent>
{
    private static final long TICK_INTERVAL_NANOS = 1_000_000_000L;

    private final FrameDecoder decoder = new FrameDecoder();
    private final Supplier<Policy> policy;
    private final Analyser[] analysers;
    private final PipelineCounters counters;
    private final CommandQueue commands;
    private final boolean live;
    private final CountDownLatch ended = new CountDownLatch(1);
    private Supplier<Policy> comparisonPolicy;
    private Analyser[] comparisonAnalysers = new Analyser[0];
    private long clockNanos;
    private long nextTickNanos;

    /**
     * @param policy    the current policy; read once per event, swapped by reloads between events
     * @param analysers called in order for every oriented SMTP segment
     * @param live      live capture (measure lag against the wall clock) or replay
     */
    public PacketProcessor(
        final Supplier<Policy> policy,
        final List<Analyser> analysers,
        final PipelineCounters counters,
        final CommandQueue commands,
        final boolean live)
    {
        this.policy = policy;
        this.analysers = analysers.toArray(new Analyser[0]);
        this.counters = counters;
        this.commands = commands;
        this.live = live;
    }

    /**
     * A second policy judged in the same pass ({@code replay --compare-rules}): every frame is decoded once,
     * then oriented and analysed under each policy by analysers of its own. Set before the pipeline starts.
     */
    public void setComparison(final Supplier<Policy> policy, final List<Analyser> analysers)
    {
        this.comparisonPolicy = policy;
        this.comparisonAnalysers = analysers.toArray(new Analyser[0]);
    }

    @Override
    public void onEvent(final PacketEvent event, final long sequence, final boolean endOfBatch)
    {
        switch (event.kind)
        {
            case PacketEvent.KIND_PACKET:
                onPacket(event);
                break;
            case PacketEvent.KIND_TICK:
                counters.increment(PipelineCounters.TICKS);
                advanceClock(event.timestampNanos);
                break;
            case PacketEvent.KIND_END:
                end();
                break;
            default:
                break;
        }
        if (endOfBatch)
        {
            commands.runPending();
            counters.set(PipelineCounters.CLOCK_NANOS, clockNanos);
            if (live && event.kind == PacketEvent.KIND_PACKET)
            {
                counters.set(PipelineCounters.LAG_NANOS, System.currentTimeMillis() * 1_000_000L - event.timestampNanos);
            }
        }
    }

    private void onPacket(final PacketEvent event)
    {
        counters.increment(PipelineCounters.PROCESSED);
        if (!event.decoded)
        {
            decoder.decode(event);
            counters.countStatus(event.status);
        }
        if (event.status != DecodeStatus.OK)
        {
            return;
        }
        advanceClock(event.timestampNanos);
        final Policy current = policy.get();
        final boolean forAnalysers = event.oriented ? event.direction != PacketEvent.DIR_NONE : Orientation.orient(event, current);
        if (forAnalysers && !exempt(event, current, true))
        {
            counters.increment(PipelineCounters.SMTP_SEGMENTS);
            for (final Analyser analyser : analysers)
            {
                analyser.onSegment(event);
            }
        }
        if (comparisonPolicy != null)
        {
            final Policy other = comparisonPolicy.get();
            event.direction = PacketEvent.DIR_NONE;
            event.hostClass = null;
            if (Orientation.orient(event, other) && !exempt(event, other, false))
            {
                for (final Analyser analyser : comparisonAnalysers)
                {
                    analyser.onSegment(event);
                }
            }
        }
    }

    /**
     * Exempt traffic never reaches the analysers: a source exemption is a customer allowed to run its own MTA,
     * a destination exemption is the ISP's own smarthost, which must never look like fan-out. Both expire on
     * the capture clock, so an exemption ending mid-replay stops applying at that capture time.
     */
    private boolean exempt(final PacketEvent event, final Policy current, final boolean count)
    {
        if (current.exemptions().isEmpty())
        {
            return false;
        }
        final long now = event.timestampNanos;
        if (current.exemptions().sourceExempt(event.hostHi(), event.hostLo(), now))
        {
            if (count)
            {
                counters.increment(PipelineCounters.SOURCE_EXEMPT);
            }
            return true;
        }
        if (current.exemptions().destinationExempt(event.serverHi(), event.serverLo(), now))
        {
            if (count)
            {
                counters.increment(PipelineCounters.DESTINATION_EXEMPT);
            }
            return true;
        }
        return false;
    }

    private void advanceClock(final long nowNanos)
    {
        if (nowNanos - clockNanos > 0)
        {
            clockNanos = nowNanos;
        }
        if (clockNanos - nextTickNanos >= 0)
        {
            nextTickNanos = clockNanos + TICK_INTERVAL_NANOS;
            for (final Analyser analyser : analysers)
            {
                analyser.onTick(clockNanos);
            }
            for (final Analyser analyser : comparisonAnalysers)
            {
                analyser.onTick(clockNanos);
            }
            commands.runPending();
        }
    }

    private void end()
    {
        for (final Analyser analyser : analysers)
        {
            analyser.onEnd(clockNanos);
        }
        for (final Analyser analyser : comparisonAnalysers)
        {
            analyser.onEnd(clockNanos);
        }
        commands.runPending();
        counters.set(PipelineCounters.CLOCK_NANOS, clockNanos);
        ended.countDown();
    }

    /** The analysis clock (capture time); read it only on the analysis thread or after {@link #awaitEnd}. */
    public long clockNanos()
    {
        return clockNanos;
    }

    /** Blocks until the end-of-input event has been processed. */
    public void awaitEnd() throws InterruptedException
    {
        ended.await();
    }
}
