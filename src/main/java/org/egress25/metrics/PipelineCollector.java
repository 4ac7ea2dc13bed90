package org.egress25.metrics;

import com.lmax.disruptor.RingBuffer;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import org.egress25.capture.CaptureStats;
import org.egress25.decode.DecodeStatus;
import org.egress25.event.PacketEvent;
import org.egress25.pipeline.PipelineCounters;

/**
 * Capture, ring and decode metrics, read at scrape time from counters the capture and analysis threads keep
 * as plain longs, so the packet path never touches a Prometheus object.
 */
public final class PipelineCollector extends Collector
{
    private final CaptureStats capture;
    private final PipelineCounters counters;
    private final RingBuffer<PacketEvent> ring;

    public PipelineCollector(final CaptureStats capture, final PipelineCounters counters, final RingBuffer<PacketEvent> ring)
    {
        this.capture = capture;
        this.counters = counters;
        this.ring = ring;
    }

    @Override
    public List<MetricFamilySamples> collect()
    {
        final List<MetricFamilySamples> out = new ArrayList<>();
        out.add(new CounterMetricFamily("egress25_packets_captured_total",
            "Frames received from libpcap or read from the capture file.", capture.captured()));
        out.add(new CounterMetricFamily("egress25_pcap_received_total",
            "libpcap ps_recv: packets the kernel filter passed (live capture).", capture.pcapReceived()));
        out.add(new CounterMetricFamily("egress25_pcap_dropped_total",
            "libpcap ps_drop: packets dropped because the capture buffer was full.", capture.pcapDropped()));
        out.add(new CounterMetricFamily("egress25_pcap_interface_dropped_total",
            "libpcap ps_ifdrop: packets dropped by the interface or its driver.", capture.pcapIfDropped()));
        out.add(new CounterMetricFamily("egress25_ring_publish_failures_total",
            "Frames dropped because the ring was full (live capture; replay waits instead).", capture.ringFull()));
        out.add(new GaugeMetricFamily("egress25_ring_capacity_slots",
            "Slots in the ring.", ring.getBufferSize()));
        out.add(new GaugeMetricFamily("egress25_ring_remaining_capacity_slots",
            "Free slots in the ring; near zero means the analysers are falling behind.", ring.remainingCapacity()));

        final CounterMetricFamily decoded = new CounterMetricFamily("egress25_packets_decoded_total",
            "Frames decoded, by result: ok (TCP), not_tcp, or fragment (non-first fragments are skipped).",
            List.of("result"));
        final CounterMetricFamily malformed = new CounterMetricFamily("egress25_packets_malformed_total",
            "Frames counted and skipped because they were truncated or malformed, by reason.", List.of("reason"));
        for (int status = 0; status < DecodeStatus.COUNT; status++)
        {
            if (DecodeStatus.isMalformed(status) && status != DecodeStatus.FRAGMENT)
            {
                malformed.addMetric(List.of(DecodeStatus.label(status)), counters.byStatus(status));
            }
            else
            {
                decoded.addMetric(List.of(DecodeStatus.label(status)), counters.byStatus(status));
            }
        }
        out.add(decoded);
        out.add(malformed);
        out.add(new CounterMetricFamily("egress25_packets_prefiltered_total",
            "Frames decoded by the replay reader and kept out of the ring (not TCP between an inside client and an SMTP"
                + " port); live, the kernel filter does this.", counters.filteredAtSource()));
        out.add(new CounterMetricFamily("egress25_smtp_segments_total",
            "TCP segments between an inside client and an outside SMTP port, handed to the analysers.",
            counters.smtpSegments()));
        final CounterMetricFamily exempt = new CounterMetricFamily("egress25_exempt_segments_total",
            "SMTP segments not analysed because an exemption covers them, by kind.", List.of("kind"));
        exempt.addMetric(List.of("source"), counters.sourceExempt());
        exempt.addMetric(List.of("destination"), counters.destinationExempt());
        out.add(exempt);
        out.add(new CounterMetricFamily("egress25_handler_errors_total",
            "Exceptions caught in the analysis thread (each distinct one is logged once).", counters.handlerErrors()));
        out.add(new GaugeMetricFamily("egress25_processing_lag_seconds",
            "Wall clock minus capture time of the last analysed frame (live capture).", counters.lagNanos() / 1e9));
        out.add(new GaugeMetricFamily("egress25_analysis_clock_seconds",
            "The analysis clock: capture time of the newest frame, seconds since the epoch.",
            counters.clockNanos() / 1e9));
        if (capture.bytesTotal() >= 0)
        {
            out.add(new GaugeMetricFamily("egress25_replay_progress_ratio",
                "Share of the capture file read so far.",
                capture.bytesTotal() == 0 ? 1.0 : (double)capture.bytesRead() / capture.bytesTotal()));
        }
        return out;
    }
}
