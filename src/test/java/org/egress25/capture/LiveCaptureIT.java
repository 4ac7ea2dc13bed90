package org.egress25.capture;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real libpcap capture on a real interface: two namespaces joined by a veth pair, real TCP connections to
 * port 25 on a hundred server addresses, and {@code egress25 run} capturing on the server side's veth.
 */
class LiveCaptureIT
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Accepts on port 25 on every address of the namespace, says 220 and closes. */
    private static final String SERVER = String.join("\n",
        "import socket",
        "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
        "s.bind(('0.0.0.0', 25)); s.listen(512)",
        "while True:",
        "    c, _ = s.accept()",
        "    try: c.sendall(b'220 lab ESMTP\\r\\n')",
        "    except OSError: pass",
        "    c.close()");

    /** Connects to port 25 on each given address from a given source address. */
    private static final String CLIENT = String.join("\n",
        "import socket, sys",
        "src = sys.argv[1]",
        "for dst in sys.argv[2:]:",
        "    try:",
        "        c = socket.create_connection((dst, 25), timeout=3, source_address=(src, 0))",
        "        c.recv(64); c.close()",
        "    except OSError as e: print(dst, e, file=sys.stderr)");

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldBlockMassSenderCapturedLiveAndLeaveQuietHostAlone(@TempDir final Path dir) throws Exception
    {
        assumeTrue(NetNs.available(), "needs root and iproute2 for network namespaces");
        final Path decisions = dir.resolve("decisions.jsonl");
        try (NetNs net = new NetNs())
        {
            final String client = net.create("cli");
            final String server = net.create("srv");
            net.link(client, "e25c0", server, "e25s0");
            net.address(client, "e25c0", "10.77.0.2/24");
            net.address(client, "e25c0", "10.77.0.3/24");
            net.address(server, "e25s0", "10.77.0.1/24");
            final List<String> servers = new ArrayList<>();
            for (int i = 1; i <= 60; i++)
            {
                final String address = "198.18.0." + i;
                net.address(server, "lo", address + "/32");
                servers.add(address);
            }
            net.route(client, "198.18.0.0/24", "10.77.0.1");
            final Process smtpServer = new ProcessBuilder(NetNs.inNs(server, List.of("/usr/bin/python3", "-c", SERVER)))
                .redirectErrorStream(true).start();

            try (Egress25Process egress = Egress25Process.start(server, "run", "--interface", "e25s0",
                "--inside", "10.77.0.0/24", "--decisions", decisions.toString(), "--metrics-port", "0",
                "--state-dir", dir.resolve("state").toString(), "--control-socket", dir.resolve("control.sock").toString()))
            {
                egress.awaitStderr(line -> line.contains("running on e25s0"), 30_000);
                Thread.sleep(500);

                final List<String> quiet = new ArrayList<>(List.of("/usr/bin/python3", "-c", CLIENT, "10.77.0.3"));
                quiet.addAll(servers.subList(0, 2));
                net.exec(client, quiet);
                final List<String> mass = new ArrayList<>(List.of("/usr/bin/python3", "-c", CLIENT, "10.77.0.2"));
                mass.addAll(servers);
                net.exec(client, mass);

                final JsonNode block = awaitDecision(decisions, "10.77.0.2", 20_000, egress);
                assertThat(block.path("action").asText()).isEqualTo("block");
                // rate rules or the sequential test (ten connect-and-quit sessions in a row) may decide first
                assertThat(block.path("rule").asText()).matches("port25-.*|sprt");
                assertThat(block.path("reason").asText()).contains("10.77.0.2");
                assertThat(block.path("expires").isNull()).isFalse();
                egress.stop();
                for (final String line : Files.readAllLines(decisions))
                {
                    assertThat(JSON.readTree(line).path("host").asText()).isNotEqualTo("10.77.0.3");
                }
            }
            finally
            {
                smtpServer.destroyForcibly();
            }
        }
    }

    private static JsonNode awaitDecision(final Path file, final String host, final long timeoutMillis,
        final Egress25Process egress) throws Exception
    {
        final long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline)
        {
            if (Files.exists(file))
            {
                for (final String line : Files.readAllLines(file))
                {
                    final JsonNode node = JSON.readTree(line);
                    if (host.equals(node.path("host").asText()))
                    {
                        return node;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no decision for " + host + " within " + timeoutMillis + " ms\n" + egress.output());
    }
}
