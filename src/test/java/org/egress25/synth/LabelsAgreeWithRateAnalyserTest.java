package org.egress25.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.egress25.analysis.RateAnalyser;
import org.egress25.capture.CaptureFileReader;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.decode.DecodeStatus;
import org.egress25.decode.FrameDecoder;
import org.egress25.event.PacketEvent;
import org.egress25.host.Cidr;
import org.egress25.policy.Policy;
import org.egress25.policy.PolicyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated capture read back through the project's own reader, decoder and rate analyser with the
 * shipped rules: every frame decodes, the hosts rate detectors exist for are blocked, and no clean host that
 * stays within ordinary volumes is. (The dialogue-only abusers, harvester and AUTH brute forcer, are for the
 * SMTP analyser; the business MTA is clean only once exempted.)
 */
@Timeout(120)
class LabelsAgreeWithRateAnalyserTest
{
    @TempDir
    Path dir;

    @Test
    void shouldBeDecodedWithoutMalformationAndBlockedWhereRatesGiveAbuseAway() throws Exception
    {
        final Path pcap = dir.resolve("ten-minutes.pcap");
        final Labels labels = new TrafficGenerator(Scenario.builder().seed(11).duration(Duration.ofMinutes(10))
            .backgroundPackets(20_000).build()).write(pcap);
        final Policy policy = PolicyLoader.loadDefaults().withExtraInside(List.of(Cidr.parse("2001:db8:100::/48")));
        final List<Decision> decisions = new ArrayList<>();
        final RateAnalyser analyser =
            new RateAnalyser(() -> policy, new Verdicts(decisions::add, policy.ladder()), 10_000, 100_000);
        final FrameDecoder decoder = new FrameDecoder();
        final PacketEvent e = PacketEvent.factory(PacketEvent.MAX_FRAME).newInstance();
        long frames = 0;
        long malformed = 0;
        long last = 0;
        try (CaptureFileReader reader = CaptureFileReader.open(pcap))
        {
            while (reader.next(e))
            {
                frames++;
                decoder.decode(e);
                malformed += DecodeStatus.isMalformed(e.status) ? 1 : 0;
                if (e.status != DecodeStatus.OK)
                {
                    continue;
                }
                last = e.timestampNanos;
                final boolean fromInside = policy.isInside(e.srcHi, e.srcLo);
                final boolean toInside = policy.isInside(e.dstHi, e.dstLo);
                if (fromInside && !toInside && policy.isSmtpPort(e.dstPort))
                {
                    e.direction = PacketEvent.DIR_OUTBOUND;
                }
                else if (!fromInside && toInside && policy.isSmtpPort(e.srcPort))
                {
                    e.direction = PacketEvent.DIR_INBOUND;
                }
                if (e.direction != PacketEvent.DIR_NONE)
                {
                    e.hostClass = policy.classify(e.hostHi(), e.hostLo());
                    analyser.onSegment(e);
                }
                analyser.onTick(e.timestampNanos);
            }
        }
        analyser.onEnd(last);

        assertThat(frames).isGreaterThan(50_000);
        assertThat(malformed).isZero();
        final Set<String> blocked = new HashSet<>();
        decisions.stream().filter(d -> d.action() == Action.BLOCK).forEach(d -> blocked.add(d.host()));
        for (final Label label : labels.hosts())
        {
            switch (label.kind())
            {
                case "mass-sender", "port25-scanner", "ipv6-spambot" ->
                    assertThat(blocked).as(label.toString()).contains(label.host());
                case "web-user", "submission-user", "implicit-tls-user", "nat-office", "small-mta", "background" ->
                    assertThat(blocked).as(label.toString()).doesNotContain(label.host());
                default ->
                {
                }
            }
        }
    }
}
