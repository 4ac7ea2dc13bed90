package org.egress25.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.egress25.capture.CaptureFileReader;
import org.egress25.decode.DecodeStatus;
import org.egress25.decode.FrameDecoder;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.egress25.synth.Labels;
import org.egress25.synth.Scenario;
import org.egress25.synth.TrafficGenerator;
import picocli.CommandLine;

/**
 * A generated, labelled capture replayed through the real command line, with what the tests need to judge
 * the result: each host's decisions and the capture time of its first SMTP-port packet.
 */
final class LabelledTraffic
{
    private static final ObjectMapper JSON = new ObjectMapper();

    final Labels labels;
    final Path pcap;
    final Map<String, List<JsonNode>> decisionsByHost = new HashMap<>();
    final Map<String, Instant> firstSmtpPacket = new HashMap<>();
    String stderr;
    int exitCode;

    private LabelledTraffic(final Labels labels, final Path pcap)
    {
        this.labels = labels;
        this.pcap = pcap;
    }

    static LabelledTraffic generate(final Scenario scenario, final Path dir) throws IOException
    {
        final Path pcap = dir.resolve("labelled.pcap");
        final Labels labels = new TrafficGenerator(scenario).write(pcap);
        final LabelledTraffic traffic = new LabelledTraffic(labels, pcap);
        traffic.indexFirstPackets();
        return traffic;
    }

    private void indexFirstPackets() throws IOException
    {
        final PacketEvent e = PacketEvent.factory(2048).newInstance();
        final FrameDecoder decoder = new FrameDecoder();
        try (CaptureFileReader reader = CaptureFileReader.open(pcap))
        {
            while (reader.next(e))
            {
                decoder.decode(e);
                if (e.status == DecodeStatus.OK && isSmtp(e.dstPort))
                {
                    firstSmtpPacket.putIfAbsent(Addresses.format(e.srcHi, e.srcLo), Instant.ofEpochSecond(0, e.timestampNanos));
                }
            }
        }
    }

    private static boolean isSmtp(final int port)
    {
        return port == 25 || port == 465 || port == 587 || port == 2525;
    }

    /** Runs {@code egress25 replay} in-process through picocli with the given extra arguments. */
    void replay(final Path dir, final String... extra) throws IOException
    {
        final Path decisions = dir.resolve("decisions.jsonl");
        Files.deleteIfExists(decisions);
        final List<String> args = new ArrayList<>(List.of("replay", pcap.toString(), "--decisions", decisions.toString(),
            "--report", dir.resolve("report").toString()));
        args.addAll(List.of(extra));
        final StringWriter err = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        exitCode = cl.execute(args.toArray(new String[0]));
        stderr = err.toString();
        decisionsByHost.clear();
        if (Files.exists(decisions))
        {
            for (final String line : Files.readAllLines(decisions))
            {
                final JsonNode node = JSON.readTree(line);
                decisionsByHost.computeIfAbsent(node.path("host").asText(), k -> new ArrayList<>()).add(node);
            }
        }
    }

    /** The first block decision for a host, or null. */
    JsonNode firstBlock(final String host)
    {
        for (final JsonNode d : decisionsByHost.getOrDefault(host, List.of()))
        {
            if ("block".equals(d.path("action").asText()))
            {
                return d;
            }
        }
        return null;
    }

    /**
     * The first block that shut port 25 for {@code host}: of the address itself, or of an IPv6 prefix holding it
     * (a /64 block stops every address in it, so it is when the host stopped mailing).
     */
    JsonNode firstBlockCovering(final String host)
    {
        JsonNode first = firstBlock(host);
        final long[] address = Addresses.parse(host);
        for (final Map.Entry<String, List<JsonNode>> entry : decisionsByHost.entrySet())
        {
            if (entry.getKey().indexOf('/') < 0 || !Cidr.parse(entry.getKey()).contains(address[0], address[1]))
            {
                continue;
            }
            for (final JsonNode d : entry.getValue())
            {
                if ("block".equals(d.path("action").asText())
                    && (first == null || Instant.parse(d.path("time").asText()).isBefore(Instant.parse(first.path("time").asText()))))
                {
                    first = d;
                }
            }
        }
        return first;
    }

    /** Seconds from the host's first SMTP-port packet to the first block of it or of a prefix holding it. */
    double secondsToBlock(final String host)
    {
        final JsonNode block = firstBlockCovering(host);
        final Instant first = firstSmtpPacket.get(host);
        if (block == null || first == null)
        {
            return Double.NaN;
        }
        final Instant at = Instant.parse(block.path("time").asText());
        return (at.toEpochMilli() - first.toEpochMilli()) / 1000.0;
    }
}
