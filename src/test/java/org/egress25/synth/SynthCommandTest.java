package org.egress25.synth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class SynthCommandTest
{
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(final String... args)
    {
        final CommandLine cli = new CommandLine(new SynthCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void shouldWriteOnlyTheHostsAskedForWithTheirLabels() throws Exception
    {
        final Path pcap = dir.resolve("spam.pcap");
        final int exit = execute(pcap.toString(), "--seed", "3", "--duration", "2m", "--no-default-hosts",
            "--hosts", "mass-sender=2", "--hosts", "web-user=3", "--inside", "192.168.0.0/16");

        assertThat(exit).as(err.toString()).isZero();
        final Labels labels = Labels.read(dir.resolve("labels.json"));
        assertThat(labels.hosts()).extracting(Label::kind)
            .containsExactly("web-user", "web-user", "web-user", "mass-sender", "mass-sender");
        assertThat(labels.hosts()).allMatch(label -> label.host().startsWith("192.168."));
        assertThat(labels.abusive()).hasSize(2);
        assertThat(out.toString()).contains("5 hosts, 2 abusive");
        assertThat(PcapRecords.read(pcap)).isNotEmpty();
    }

    @Test
    void shouldRejectAnUnknownHostKindWithUsageExitCodeAndTheKnownKinds()
    {
        final int exit = execute(dir.resolve("x.pcap").toString(), "--hosts", "spammer=1");

        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("unknown host kind 'spammer'", "mass-sender");
    }

    @Test
    void shouldRejectAnUnreadableDuration()
    {
        final int exit = execute(dir.resolve("x.pcap").toString(), "--duration", "ten minutes");

        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("--duration 'ten minutes' is not a duration");
    }

    @Test
    void shouldRefuseIpv6HostsWithoutAnInsideIpv6Prefix()
    {
        final int exit = execute(dir.resolve("x.pcap").toString(), "--inside", "10.0.0.0/16");

        assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("no inside IPv6 prefix");
    }

    @Test
    void shouldWriteTheBenchmarkMixWithExactPacketCount() throws Exception
    {
        final Path pcap = dir.resolve("bench.pcap");
        final int exit = execute(pcap.toString(), "--benchmark-packets", "20000");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(PcapRecords.read(pcap)).hasSize(20_000);
    }
}
