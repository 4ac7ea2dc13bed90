package org.egress25.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.egress25.host.Cidr;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TrafficGeneratorTest
{
    private static final List<Cidr> INSIDE =
        List.of(Cidr.parse("10.0.0.0/16"), Cidr.parse("100.64.0.0/10"), Cidr.parse("2001:db8:100::/48"));

    @TempDir
    static Path dir;
    private static Path pcap;
    private static Labels labels;
    private static List<PcapRecords.Frame> frames;

    /** Three minutes of every host kind plus 5,000 background packets: ~40,000 packets. */
    static Scenario scenario(final long seed)
    {
        return Scenario.builder().seed(seed).duration(Duration.ofMinutes(3)).backgroundPackets(5_000).build();
    }

    @BeforeAll
    static void generate() throws IOException
    {
        pcap = dir.resolve("mixed.pcap");
        labels = new TrafficGenerator(scenario(7)).write(pcap);
        frames = PcapRecords.read(pcap);
    }

    @Test
    void shouldWriteFramesInTimeOrderWithValidChecksums()
    {
        assertThat(frames).hasSizeGreaterThan(10_000);
        for (int i = 1; i < frames.size(); i++)
        {
            assertThat(frames.get(i).micros()).as("frame %d time", i).isGreaterThanOrEqualTo(frames.get(i - 1).micros());
        }
    }

    @Test
    void shouldBeReadByTcpdumpWithoutErrors() throws Exception
    {
        assumeTrue(onPath("tcpdump"), "tcpdump not installed");
        final Run run = run("tcpdump", "-n", "-r", pcap.toString());
        assertThat(run.exitCode).as(run.stderr).isZero();
        assertThat(run.stderr.lines().filter(line -> !line.startsWith("reading from file"))).isEmpty();
        assertThat(run.stdout.lines().count()).isEqualTo(frames.size());
    }

    @Test
    void shouldShowTsharkNoMalformedPacketOrBadChecksumAndEverySmtpCommand() throws Exception
    {
        assumeTrue(onPath("tshark"), "tshark not installed");
        final Run errors = run("tshark", "-n", "-r", pcap.toString(),
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "_ws.malformed || _ws.expert.severity >= error");
        assertThat(errors.exitCode).as(errors.stderr).isZero();
        assertThat(errors.stdout).as("packets tshark flags").isEmpty();

        final Run commands = run("tshark", "-n", "-r", pcap.toString(), "-Y", "smtp.req.command",
            "-T", "fields", "-e", "smtp.req.command");
        final Set<String> seen = new TreeSet<>();
        commands.stdout.lines().forEach(line -> seen.addAll(List.of(line.split(","))));
        assertThat(seen).contains("EHLO", "MAIL", "RCPT", "DATA", "QUIT", "AUTH");
        // tshark 4.0 shows STARTTLS by its first four letters
        assertThat(seen).containsAnyOf("STARTTLS", "STAR");
    }

    @Test
    void shouldLabelExactlyTheInsideHostsThatAppearInTheCapture()
    {
        final Set<String> inside = new HashSet<>();
        for (final PcapRecords.Frame frame : frames)
        {
            for (final byte[] address : List.of(frame.src(), frame.dst()))
            {
                if (isInside(address))
                {
                    inside.add(Node.format(address));
                }
            }
        }
        final Set<String> labelled = new HashSet<>();
        labels.hosts().forEach(label -> labelled.add(label.host()));
        assertThat(labelled).hasSize(labels.hosts().size());
        assertThat(inside).isEqualTo(labelled);
        for (final HostKind kind : HostKind.values())
        {
            if (kind.ordinal() > HostKind.BACKGROUND.ordinal())
            {
                continue; // the harder test bed's kinds are not in the default scenario
            }
            assertThat(labels.hosts()).as(kind.label()).anyMatch(label -> label.kind().equals(kind.label()));
        }
        assertThat(labels.abusive()).extracting(Label::kind).containsExactlyInAnyOrder("mass-sender",
            "slow-spambot", "directory-harvester", "auth-brute-forcer", "port25-scanner", "ipv6-spambot");
    }

    @Test
    void shouldWriteLabelsJsonBesideTheCaptureThatReadsBackEqual() throws IOException
    {
        final Path json = dir.resolve("labels.json");
        assertThat(json).exists();
        assertThat(Labels.read(json)).isEqualTo(labels);
        assertThat(Files.readString(json)).contains("\"expectedVerdict\" : \"block\"", "\"kind\" : \"nat-office\"");
    }

    @Test
    void shouldWriteByteIdenticalCapturesForTheSameSeedAndDifferentOnesForAnother() throws IOException
    {
        final Path again = Files.createDirectories(dir.resolve("again")).resolve("mixed.pcap");
        new TrafficGenerator(scenario(7)).write(again);
        assertThat(Files.mismatch(pcap, again)).isEqualTo(-1L);

        final Path other = Files.createDirectories(dir.resolve("other")).resolve("mixed.pcap");
        new TrafficGenerator(scenario(8)).write(other);
        assertThat(Files.mismatch(pcap, other)).isNotEqualTo(-1L);
    }

    @Test
    void shouldRetransmitUnansweredSynsAfterOneAndThreeSeconds()
    {
        final String massSender = host("mass-sender");
        final Map<String, List<Long>> synTimes = new HashMap<>();
        for (final PcapRecords.Frame frame : frames)
        {
            if (frame.isTcp() && frame.flags() == Frames.SYN && Node.format(frame.src()).equals(massSender))
            {
                synTimes.computeIfAbsent(frame.srcPort() + "/" + frame.seq() + "/" + Node.format(frame.dst()),
                    key -> new ArrayList<>()).add(frame.micros());
            }
        }
        final List<List<Long>> retried = synTimes.values().stream().filter(times -> times.size() == 3).toList();
        assertThat(retried).hasSizeGreaterThan(100);
        for (final List<Long> times : retried)
        {
            assertThat(times.get(1) - times.get(0)).isEqualTo(1_000_000L);
            assertThat(times.get(2) - times.get(0)).isEqualTo(3_000_000L);
        }
        assertThat(synTimes.keySet().stream().map(key -> key.substring(key.lastIndexOf('/'))).distinct().count())
            .as("distinct port-25 destinations").isGreaterThan(500);
    }

    @Test
    void shouldAnswerClosedPortsWithRstAcknowledgingTheSyn()
    {
        final String scanner = host("port25-scanner");
        final Map<String, Long> synSeq = new HashMap<>();
        int resets = 0;
        for (final PcapRecords.Frame frame : frames)
        {
            if (!frame.isTcp())
            {
                continue;
            }
            if (frame.flags() == Frames.SYN && Node.format(frame.src()).equals(scanner))
            {
                synSeq.put(Node.format(frame.dst()) + ":" + frame.srcPort(), frame.seq());
            }
            if (frame.flags() == (Frames.RST | Frames.ACK) && Node.format(frame.dst()).equals(scanner))
            {
                final Long seq = synSeq.get(Node.format(frame.src()) + ":" + frame.dstPort());
                assertThat(seq).isNotNull();
                assertThat(frame.ack()).isEqualTo((seq + 1) & 0xffff_ffffL);
                assertThat(frame.payloadLength()).isZero();
                resets++;
            }
        }
        assertThat(resets).isGreaterThan(1_000);
    }

    @Test
    void shouldKeepSequenceNumbersContiguousInEveryTcpStream()
    {
        final Map<String, Long> nextSeq = new HashMap<>();
        int checked = 0;
        for (final PcapRecords.Frame frame : frames)
        {
            if (!frame.isTcp() || (frame.flags() & Frames.RST) != 0)
            {
                continue;
            }
            final String key = Node.format(frame.src()) + ":" + frame.srcPort() + ">" + Node.format(frame.dst()) + ":"
                + frame.dstPort();
            final long consumed = frame.payloadLength() + ((frame.flags() & (Frames.SYN | Frames.FIN)) != 0 ? 1 : 0);
            final Long expected = nextSeq.get(key);
            if (expected != null && (frame.flags() & Frames.SYN) == 0)
            {
                assertThat(frame.seq()).as("seq of %s", key).isEqualTo(expected);
                checked++;
            }
            nextSeq.put(key, (frame.seq() + consumed) & 0xffff_ffffL);
        }
        assertThat(checked).isGreaterThan(5_000);
    }

    @Test
    void shouldSpeakSmtpInCrlfLinesAndNameTheSpambotInBlocklistReplies()
    {
        final String spambot = host("slow-spambot");
        boolean blocklistNamesHost = false;
        boolean multiLineEhlo = false;
        boolean dataTerminated = false;
        boolean authContinuation = false;
        final Set<String> encrypted = new HashSet<>();
        for (final PcapRecords.Frame frame : frames)
        {
            final boolean smtpPort = frame.isTcp() && (frame.srcPort() == 25 || frame.dstPort() == 25
                || frame.srcPort() == 587 || frame.dstPort() == 587);
            final String connection = frame.srcPort() < frame.dstPort()
                ? Node.format(frame.dst()) + ":" + frame.dstPort() + "-" + Node.format(frame.src())
                : Node.format(frame.src()) + ":" + frame.srcPort() + "-" + Node.format(frame.dst());
            if (!smtpPort || frame.payloadLength() == 0 || encrypted.contains(connection))
            {
                continue;
            }
            if (frame.payloadText().startsWith("220 2.0.0 Ready to start TLS"))
            {
                encrypted.add(connection);
            }
            final String text = frame.payloadText();
            if (frame.payloadLength() < Frames.MSS)
            {
                assertThat(text).as("segment ends a line").endsWith("\r\n");
                assertThat(text.replace("\r\n", "")).as("no bare CR or LF").doesNotContain("\r", "\n");
            }
            blocklistNamesHost |= text.startsWith("554 5.7.1 Service unavailable; Client host [" + spambot
                + "] blocked using zen.spamhaus.org");
            multiLineEhlo |= text.startsWith("250-") && text.contains("\r\n250-PIPELINING\r\n");
            dataTerminated |= text.endsWith("\r\n.\r\n");
            authContinuation |= text.equals("334 VXNlcm5hbWU6\r\n");
        }
        assertThat(blocklistNamesHost).isTrue();
        assertThat(multiLineEhlo).isTrue();
        assertThat(dataTerminated).isTrue();
        assertThat(authContinuation).isTrue();
    }

    @Test
    void shouldWriteExactlyTheRequestedNumberOfBenchmarkPacketsWithTheAdvertisedMix() throws IOException
    {
        final Path bench = dir.resolve("bench.pcap");
        TrafficGenerator.writeMixedBenchmark(bench, 200_000, 25);
        final List<PcapRecords.Frame> written = PcapRecords.read(bench);
        assertThat(written).hasSize(200_000);
        long bytes = 0;
        long smtp = 0;
        final Set<String> synSenders = new HashSet<>();
        for (final PcapRecords.Frame frame : written)
        {
            bytes += frame.data().length;
            if (frame.isTcp() && isSmtpPort(frame.srcPort()) || frame.isTcp() && isSmtpPort(frame.dstPort()))
            {
                smtp++;
            }
            if (frame.isTcp() && frame.flags() == Frames.SYN && frame.dstPort() == 25)
            {
                synSenders.add(Node.format(frame.src()));
            }
        }
        assertThat(bytes / written.size()).as("mean frame size").isBetween(480L, 660L);
        assertThat(100 * smtp / written.size()).as("percent on SMTP ports").isBetween(22L, 38L);
        assertThat(synSenders).hasSizeGreaterThanOrEqualTo(40);
    }

    private static boolean isSmtpPort(final int port)
    {
        return port == 25 || port == 587 || port == 465;
    }

    private static String host(final String kind)
    {
        return labels.hosts().stream().filter(label -> label.kind().equals(kind)).findFirst().orElseThrow().host();
    }

    private static boolean isInside(final byte[] address)
    {
        final long[] pair = org.egress25.host.Addresses.toPair(address);
        return INSIDE.stream().anyMatch(cidr -> cidr.contains(pair[0], pair[1]));
    }

    private record Run(int exitCode, String stdout, String stderr)
    {
    }

    private static Run run(final String... command) throws Exception
    {
        final Path out = Files.createTempFile(dir, "out", ".txt");
        final Path err = Files.createTempFile(dir, "err", ".txt");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        // tshark warns about running as root on stderr; that is not a finding about the capture
        final String stderr = Files.readString(err, StandardCharsets.UTF_8).lines()
            .filter(line -> !line.contains("This could be dangerous")).reduce("", (a, b) -> a + b + "\n");
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), stderr);
    }

    private static boolean onPath(final String tool)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (Files.isExecutable(Path.of(directory, tool)))
            {
                return true;
            }
        }
        return false;
    }
}
