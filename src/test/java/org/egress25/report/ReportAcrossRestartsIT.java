package org.egress25.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.NetNs;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flagged-host report of a gateway that was killed and started again: a host flagged before the kill -9
 * is still in the report after it, beside one flagged after, both in the report the control socket serves and
 * in the one written at the next stop.
 */
class ReportAcrossRestartsIT
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldKeepHostsFlaggedBeforeAKillMinus9InTheReport() throws Exception
    {
        assumeTrue(NetNs.available(), "needs root and iproute2");
        final Path socket = dir.resolve("control.sock");
        try (NetNs net = new NetNs())
        {
            final String gateway = net.create("gw");
            final Egress25Process first = start(gateway, socket);
            try
            {
                assertThat(cli(socket, "block", "10.0.3.4", "--for", "1h", "--reason", "AR-1").exitCode()).isZero();
                Shell.run("kill", "-9", Long.toString(first.pid()));
                first.waitFor(20);
            }
            finally
            {
                first.close();
            }

            final Egress25Process second = start(gateway, socket);
            try
            {
                assertThat(cli(socket, "block", "10.0.3.5", "--for", "1h", "--reason", "AR-2").exitCode()).isZero();
                final Shell.Result report = cli(socket, "report");
                assertThat(report.exitCode()).as(report.stderr()).isZero();
                assertThat(hosts(JSON.readTree(report.stdout()))).contains("10.0.3.4", "10.0.3.5");
                second.stop();
            }
            finally
            {
                second.close();
            }
            final JsonNode written = JSON.readTree(dir.resolve("report").resolve("report.json").toFile());
            assertThat(hosts(written)).contains("10.0.3.4", "10.0.3.5");
            assertThat(Files.readString(dir.resolve("report").resolve("report.txt")))
                .contains("10.0.3.4  BLOCKED until").contains("AR-1 [by root (uid 0)]");
        }
    }

    private static List<String> hosts(final JsonNode report)
    {
        final List<String> out = new ArrayList<>();
        report.path("hosts").forEach(h -> out.add(h.path("host").asText()));
        return out;
    }

    private Egress25Process start(final String gateway, final Path socket) throws Exception
    {
        final Egress25Process p = Egress25Process.start(gateway, "run", "--interface", "lo", "--inside", "10.0.0.0/8",
            "--enforce", "none", "--state-dir", dir.resolve("state").toString(), "--decisions",
            dir.resolve("decisions.jsonl").toString(), "--report", dir.resolve("report").toString(),
            "--metrics-port", "0", "--control-socket", socket.toString());
        p.awaitStderr(l -> l.contains("running on lo"), 30_000);
        return p;
    }

    private static Shell.Result cli(final Path socket, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(), "-Xmx64m", "-jar", Egress25Process.jar().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--control-socket", socket.toString()));
        return Shell.run(command, 60);
    }
}
