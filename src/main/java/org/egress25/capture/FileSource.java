package org.egress25.capture;

import com.lmax.disruptor.RingBuffer;
import java.io.IOException;
import java.nio.file.Path;
import org.egress25.decode.DecodeStatus;
import org.egress25.decode.FrameDecoder;
import org.egress25.decode.Orientation;
import org.egress25.policy.Policy;
import org.egress25.event.PacketEvent;

/**
 * Replays a pcap or pcapng file (optionally gzip-compressed, or a pipe) into the ring.
 *
 * <p>Replay applies backpressure: {@link RingBuffer#next(int)} waits for free slots, so not one packet is
 * lost however slow the analysers are, and a replay gives the same verdicts every run. Slots are claimed
 * {@value #BATCH} at a time because the Disruptor publishes two to four times faster claiming 64 at once than
 * one at a time (benchmarks/NOTES.md, "Claiming ring slots in batches"). From a pipe ({@code tcpdump -U -w - |
 * egress25 replay /dev/stdin}) they are claimed one at a time, so each segment is judged as it arrives.
 *
 * <p>The reader thread also plays the part the kernel's BPF filter plays in live capture: it decodes each
 * frame into the slot it claimed and publishes only TCP segments to or from an SMTP port, reusing the slot
 * for the next frame otherwise. In the benchmark mix 70% of frames are web, DNS and QUIC; filtering them
 * here spares the ring hand-off and the analysis thread all of them, and splits decoding and analysis
 * across the two cores. Decode statuses are counted here for those frames, as the analysis thread counts
 * them live.
 */
public final class FileSource implements PacketSource
{
    static final int BATCH = 64;

    private final Path file;
    private final Policy policy;
    private final boolean orient;
    private final SourceCounters counters;
    private final FrameDecoder decoder = new FrameDecoder();
    private final CaptureStats stats = new CaptureStats();
    private volatile boolean running = true;

    /**
     * @param policy   its SMTP ports decide which segments go into the ring; null publishes every frame undecoded
     * @param orient   also orient each kept segment (direction, host class) under {@code policy}, sparing the
     *                 analysis thread the prefix lookups, and leave out segments no inside host owns: right for a
     *                 replay, which runs one policy from start to end; not for {@code --compare-rules}, where a
     *                 second policy orients anew
     * @param counters where decode statuses of the pre-filtered frames are counted (null with no policy)
     */
    public FileSource(final Path file, final Policy policy, final boolean orient, final SourceCounters counters)
    {
        this.file = file;
        this.policy = policy;
        this.orient = orient;
        this.counters = counters;
    }

    public FileSource(final Path file)
    {
        this(file, null, false, null);
    }

    @Override
    public void run(final RingBuffer<PacketEvent> ring) throws IOException
    {
        try (CaptureFileReader reader = CaptureFileReader.open(file))
        {
            stats.bytesTotal = reader.fileSize();
            // from a pipe each segment goes on at once: a batch would wait for 64 SMTP segments to arrive
            final int batch = reader.isPipe() ? 1 : Math.min(BATCH, ring.getBufferSize());
            boolean more = true;
            long captured = 0;
            long published = 0;
            long lastTimestamp = 0;
            while (more && running)
            {
                final long hi = ring.next(batch);
                final long lo = hi - batch + 1;
                long seq = lo;
                try
                {
                    for (; seq <= hi; seq++)
                    {
                        final PacketEvent event = ring.get(seq);
                        boolean filled = false;
                        while (more && !filled)
                        {
                            if (reader.next(event))
                            {
                                captured++;
                                lastTimestamp = event.timestampNanos;
                                filled = keep(event);
                            }
                            else
                            {
                                more = false;
                            }
                        }
                        if (filled)
                        {
                            published++;
                        }
                        else
                        {
                            tick(event, lastTimestamp);
                        }
                    }
                }
                finally
                {
                    // Claimed slots must be published, or the end marker's publish would expose them as they
                    // were a lap ago; after a corrupt record (a throw) the rest of the batch carries clock ticks.
                    for (; seq <= hi; seq++)
                    {
                        tick(ring.get(seq), lastTimestamp);
                    }
                    ring.publish(lo, hi);
                    stats.captured = captured;
                    stats.published = published;
                    stats.lastTimestampNanos = lastTimestamp;
                    stats.bytesRead = reader.bytesRead();
                    stats.truncatedRecords = reader.truncatedRecords();
                    stats.capturedBeyondWire = reader.capturedBeyondWire();
                }
            }
        }
    }

    private static void tick(final PacketEvent event, final long timestampNanos)
    {
        event.kind = PacketEvent.KIND_TICK;
        event.timestampNanos = timestampNanos;
        event.captureLength = 0;
        event.decoded = false;
    }

    /** Decodes the frame in its slot; true when it belongs in the ring. */
    private boolean keep(final PacketEvent event)
    {
        event.oriented = false;
        if (policy == null)
        {
            event.decoded = false;
            return true;
        }
        decoder.decode(event);
        event.decoded = true;
        counters.countStatusAtSource(event.status);
        if (event.status == DecodeStatus.OK && (policy.isSmtpPort(event.dstPort) || policy.isSmtpPort(event.srcPort)))
        {
            if (!orient)
            {
                return true;
            }
            event.oriented = true;
            if (Orientation.orient(event, policy))
            {
                return true;
            }
        }
        counters.countFilteredAtSource();
        return false;
    }

    @Override
    public void stop()
    {
        running = false;
    }

    @Override
    public CaptureStats stats()
    {
        return stats;
    }

    @Override
    public boolean isLive()
    {
        return false;
    }

    @Override
    public String toString()
    {
        return "file " + file;
    }
}
