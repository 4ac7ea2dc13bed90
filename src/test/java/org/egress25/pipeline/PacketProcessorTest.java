package org.egress25.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.egress25.analysis.Analyser;
import org.egress25.decode.LinkType;
import org.egress25.decode.TestFrames;
import org.egress25.event.PacketEvent;
import org.egress25.policy.Policy;
import org.egress25.policy.PolicyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decode, orientation and exemptions in front of the analysers, on real frames. */
class PacketProcessorTest
{
    private static final int SYN = 0x02;

    @TempDir
    Path dir;

    private final List<String> seen = new ArrayList<>();
    private final Analyser recorder = new Analyser()
    {
        @Override
        public void onSegment(final PacketEvent event)
        {
            seen.add((event.direction == PacketEvent.DIR_OUTBOUND ? "out " : "in ") + event.hostClass.name() + " "
                + event.serverPort());
        }

        @Override
        public void onTick(final long nowNanos)
        {
        }
    };

    private Policy policy() throws Exception
    {
        for (final String file : List.of("networks.yaml", "detectors.yaml", "enforcement.yaml", "exemptions.yaml"))
        {
            Files.copy(Path.of("rules", file), dir.resolve(file));
        }
        Files.writeString(dir.resolve("exemptions.yaml"), Files.readString(dir.resolve("exemptions.yaml"))
            + "  - source: 10.1.2.99/32\n    ticket: T-9\n    comment: customer MTA\n");
        return PolicyLoader.load(dir);
    }

    private void feed(final PacketProcessor processor, final String src, final int sport, final String dst,
        final int dport)
    {
        final PacketEvent e = TestFrames.event(LinkType.ETHERNET,
            TestFrames.ethernet(0x0800, TestFrames.ipv4(src, dst, TestFrames.tcp(sport, dport, SYN, 0, new byte[0]))));
        e.kind = PacketEvent.KIND_PACKET;
        e.timestampNanos = 1_000_000_000L;
        processor.onEvent(e, 0, true);
    }

    @Test
    void shouldHandOnlyInsideClientsSmtpToTheAnalysersAndSkipExemptTraffic() throws Exception
    {
        final Policy policy = policy();
        final PipelineCounters counters = new PipelineCounters();
        final PacketProcessor processor = new PacketProcessor(() -> policy, List.of(recorder), counters,
            new CommandQueue(), false);

        feed(processor, "10.1.2.3", 40000, "198.18.0.9", 25);       // inside client to an MX: analysed
        feed(processor, "198.18.0.9", 25, "10.1.2.3", 40000);       // the MX answering: analysed, inbound
        feed(processor, "10.1.2.3", 40001, "198.18.0.9", 443);      // web: not SMTP
        feed(processor, "198.18.0.9", 40002, "10.1.2.3", 25);       // mail arriving at an inside server: not ours
        feed(processor, "10.1.2.3", 40003, "192.0.2.25", 25);       // to the ISP smarthost: never fan-out
        feed(processor, "10.1.2.99", 40004, "198.18.0.9", 25);      // exempted customer MTA
        feed(processor, "100.64.7.7", 40005, "198.18.0.9", 587);    // CGNAT user submitting

        assertThat(seen).containsExactly("out residential-dynamic 25", "in residential-dynamic 25", "out cgnat 587");
        assertThat(counters.destinationExempt()).isEqualTo(1);
        assertThat(counters.sourceExempt()).isEqualTo(1);
        assertThat(counters.smtpSegments()).isEqualTo(3);
        assertThat(counters.processed()).isEqualTo(7);
    }
}
