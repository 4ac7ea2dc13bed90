package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.NetNs;
import org.egress25.testing.Shell;
import org.egress25.testing.TcpPeers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code egress25 run} as a gateway: subscribers -> gateway namespace (capture + nftables) -> server namespace.
 * Covers a detector block cutting off port 25 only, the operator commands against a running instance, and a
 * {@code kill -9} in the middle: blocks survive with their remaining time and an expired one is not re-added.
 */
class EnforcementIT
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SPAMBOT = "10.88.0.2";
    private static final String CLEAN = "10.88.0.3";

    @TempDir
    Path dir;

    private NetNs net;
    private String client;
    private String gateway;
    private String server;
    private Process servers;
    private final List<String> destinations = new ArrayList<>();
    private Path controlSocket;

    @BeforeEach
    void buildNetwork() throws Exception
    {
        assumeTrue(NetNs.available() && Shell.hasCommand("nft"), "needs root, iproute2 and nftables");
        net = new NetNs();
        client = net.create("cli");
        gateway = net.create("gw");
        server = net.create("srv");
        net.link(client, "e25c0", gateway, "e25g0");
        net.link(gateway, "e25g1", server, "e25s0");
        net.address(client, "e25c0", SPAMBOT + "/24");
        net.address(client, "e25c0", CLEAN + "/24");
        net.address(gateway, "e25g0", "10.88.0.1/24");
        net.address(gateway, "e25g1", "10.89.0.1/24");
        net.address(server, "e25s0", "10.89.0.2/24");
        net.exec(gateway, "sysctl", "-qw", "net.ipv4.ip_forward=1").orThrow("ip_forward");
        net.exec(client, "ip", "route", "add", "default", "via", "10.88.0.1").orThrow("client route");
        net.exec(server, "ip", "route", "add", "default", "via", "10.89.0.1").orThrow("server route");
        net.route(gateway, "198.18.1.0/24", "10.89.0.2");
        for (int i = 1; i <= 40; i++)
        {
            net.address(server, "lo", "198.18.1." + i + "/32");
            destinations.add("198.18.1." + i);
        }
        servers = TcpPeers.server(server, 25, 587);
        controlSocket = dir.resolve("control.sock");
    }

    @AfterEach
    void tearDown()
    {
        if (servers != null)
        {
            servers.destroyForcibly();
        }
        if (net != null)
        {
            net.close();
        }
    }

    private Egress25Process startGateway(final String... extra) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("run", "--interface", "e25g0", "--inside", "10.88.0.0/24",
            "--enforce", "nftables", "--state-dir", dir.resolve("state").toString(),
            "--decisions", dir.resolve("decisions.jsonl").toString(), "--control-socket", controlSocket.toString(),
            "--metrics-port", "0"));
        args.addAll(List.of(extra));
        final Egress25Process p = Egress25Process.start(gateway, args.toArray(new String[0]));
        p.awaitStderr(line -> line.contains("running on e25g0"), 30_000);
        return p;
    }

    private Shell.Result cli(final String... args)
    {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar", Egress25Process.jar().toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--control-socket", controlSocket.toString()));
        return net.exec(gateway, cmd);
    }

    private int connects(final String source, final int port, final List<String> to)
    {
        return TcpPeers.connect(net, client, source, port, 2.0, to);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldCutOffOnlyPort25OfTheSpambotAndKeepBlocksAcrossKillMinus9() throws Exception
    {
        Egress25Process gw = startGateway();
        try
        {
            assertThat(connects(SPAMBOT, 25, destinations)).as("before the block every server answers").isEqualTo(40);
            awaitBlocked(SPAMBOT, gw);

            assertThat(connects(SPAMBOT, 25, destinations.subList(0, 3))).as("spambot on 25 after the block").isZero();
            assertThat(connects(SPAMBOT, 587, destinations.subList(0, 3))).as("spambot on 587 still works").isEqualTo(3);
            assertThat(connects(CLEAN, 25, destinations.subList(0, 3))).as("clean host on 25").isEqualTo(3);

            final Shell.Result explain = cli("explain", SPAMBOT);
            assertThat(explain.exitCode()).as(explain.stderr()).isZero();
            assertThat(explain.stdout()).containsPattern("BLOCKED by (port25-|sprt)").contains("residential-dynamic")
                .contains("port25-attempts-1m").contains("sequential test: LLR");

            final Shell.Result report = cli("report");
            assertThat(report.exitCode()).as(report.stderr()).isZero();
            assertThat(report.stdout()).contains("\"host\" : \"" + SPAMBOT + "\"").contains("top_destinations");

            final Shell.Result manual = cli("block", CLEAN, "--for", "4s", "--reason", "test: short manual block");
            assertThat(manual.exitCode()).as(manual.stderr()).isZero();
            assertThat(connects(CLEAN, 25, destinations.subList(0, 1))).as("manually blocked clean host").isZero();

            final Instant spambotExpiry = blockExpiry(SPAMBOT);
            gw.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);   // kill -9

            final Shell.Result down = cli("blocks");
            assertThat(down.exitCode()).isEqualTo(1);
            assertThat(down.stderr()).contains("egress25 is not running");
            assertThat(connects(SPAMBOT, 25, destinations.subList(0, 1))).as("kernel keeps the block while egress25 is dead")
                .isZero();

            Thread.sleep(5000); // the manual block on CLEAN expires while egress25 is down
            gw = startGateway();
            final JsonNode blocks = JSON.readTree(cli("blocks", "--json").orThrow("blocks").stdout()).path("blocks");
            assertThat(blocks).hasSize(1);
            assertThat(blocks.get(0).path("host").asText()).isEqualTo(SPAMBOT);
            assertThat(Instant.parse(blocks.get(0).path("expires").asText())).isEqualTo(spambotExpiry);
            final String set = net.exec(gateway, "nft", "list", "set", "inet", "egress25", "blocked4").orThrow("nft").stdout();
            assertThat(set).contains(SPAMBOT).doesNotContain(CLEAN);
            assertThat(connects(CLEAN, 25, destinations.subList(0, 1))).as("expired manual block not re-added").isEqualTo(1);
            assertThat(connects(SPAMBOT, 25, destinations.subList(0, 1))).as("spambot still blocked after restart").isZero();

            final Shell.Result unblock = cli("unblock", SPAMBOT, "--reason", "customer cleaned the machine");
            assertThat(unblock.exitCode()).as(unblock.stderr()).isZero();
            assertThat(unblock.stdout()).contains("unblocked " + SPAMBOT);
            assertThat(connects(SPAMBOT, 25, destinations.subList(0, 1))).as("unblocked spambot on 25").isEqualTo(1);
            assertThat(Files.readString(dir.resolve("decisions.jsonl")))
                .contains("\"action\":\"unblock\"").contains("customer cleaned the machine");
        }
        finally
        {
            gw.close();
        }
    }

    /**
     * OP25B as the rules state it: a block-by-default class has port 25 shut by network in the kernel, except
     * to the ISP's relay (an exempt destination); submission stays open, and other classes are untouched.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @SuppressWarnings("try")  // the gateway only has to be running while the client connects through it
    void shouldShutPort25ForABlockByDefaultClassExceptToTheIspRelay() throws Exception
    {
        final Path rules = Files.createDirectories(dir.resolve("rules"));
        for (final String name : List.of("networks.yaml", "detectors.yaml", "enforcement.yaml", "exemptions.yaml"))
        {
            Files.copy(Path.of("rules", name), rules.resolve(name));
        }
        Files.writeString(rules.resolve("networks.yaml"), Files.readString(rules.resolve("networks.yaml"))
            + "  op25b-homes:\n    mode: block-by-default\n    networks: [" + CLEAN + "/32]\n");
        Files.writeString(rules.resolve("exemptions.yaml"), Files.readString(rules.resolve("exemptions.yaml"))
            + "  - destination: 198.18.1.1/32\n    comment: the ISP's relay\n");
        try (Egress25Process gw = startGateway("--rules", rules.toString()))
        {
            assertThat(connects(CLEAN, 25, destinations.subList(1, 4))).as("block-by-default host to any MX").isZero();
            assertThat(connects(CLEAN, 25, destinations.subList(0, 1))).as("... but to the ISP relay").isEqualTo(1);
            assertThat(connects(CLEAN, 587, destinations.subList(1, 4))).as("submission stays open").isEqualTo(3);
            assertThat(connects(SPAMBOT, 25, destinations.subList(1, 4))).as("another class is untouched").isEqualTo(3);
            assertThat(net.exec(gateway, "nft", "list", "set", "inet", "egress25", "policed4").orThrow("nft").stdout())
                .contains(CLEAN);
        }
    }

    /**
     * What the abuse desk is told must be what the kernel does: strict addresses, inside hosts only, the ladder's
     * 7 d step in the kernel with its timeout, a block the full state disk could not journal refused with a
     * reason, and after kill -9 and after {@code nft flush ruleset} the kernel set equals the listed blocks.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldOnlyReportBlocksTheKernelHoldsThroughAFullDiskKillMinus9AndAFlushedRuleset() throws Exception
    {
        final Path state = Files.createDirectories(dir.resolve("state"));
        Shell.run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", state.toString()).orThrow("mount tmpfs");
        Egress25Process gw = startGateway("--reconcile-every", "2s");
        try
        {
            assertThat(cli("block", "8.8.8.8", "--for", "1h", "--reason", "outside").stderr())
                .contains("not inside any class");
            assertThat(cli("block", "10.88.0.066", "--for", "1h", "--reason", "octal?").stderr()).contains("leading zeros");
            assertThat(cli("block", "10.88.0.9", "--for", "300000d", "--reason", "forever").stderr())
                .contains("longer than the kernel can hold");
            final Shell.Result week = cli("block", CLEAN, "--for", "7d", "--reason", "ticket 7");
            assertThat(week.exitCode()).as(week.stderr()).isZero();
            assertThat(net.exec(gateway, "nft", "list", "set", "inet", "egress25", "blocked4").orThrow("nft").stdout())
                .containsPattern(CLEAN.replace(".", "\\.") + " timeout 6d23h5[0-9]m");
            assertThat(connects(CLEAN, 25, destinations.subList(0, 1))).as("the 7 d block is in the kernel").isZero();

            final Path filler = state.resolve("filler");
            try (java.io.OutputStream out = Files.newOutputStream(filler))
            {
                final byte[] chunk = new byte[512];
                while (true)
                {
                    out.write(chunk);
                    out.flush();
                }
            }
            catch (final java.io.IOException e)
            {
                assertThat(e.getMessage()).contains("No space left");
            }
            String refused = null;
            for (int i = 20; i < 60 && refused == null; i++)
            {
                final Shell.Result r = cli("block", "10.88.0." + i, "--for", "1h", "--reason", "full disk " + i);
                if (r.exitCode() != 0)
                {
                    assertThat(r.stderr()).contains("NOT made").contains("cannot be written");
                    refused = "10.88.0." + i;
                }
            }
            assertThat(refused).as("a block the full disk could not journal").isNotNull();
            assertThat(listedHosts()).doesNotContain(refused);
            Files.delete(filler);

            gw.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);   // kill -9
            gw = startGateway("--reconcile-every", "2s");
            assertThat(kernelHosts()).as("after kill -9 and restart").isEqualTo(listedHosts()).contains(CLEAN)
                .doesNotContain(refused);

            net.exec(gateway, "nft", "flush", "ruleset").orThrow("flush ruleset");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (kernelHosts().isEmpty() && System.nanoTime() < deadline)
            {
                Thread.sleep(500);
            }
            assertThat(kernelHosts()).as("after nft flush ruleset").isEqualTo(listedHosts());
            assertThat(connects(CLEAN, 25, destinations.subList(0, 1))).isZero();
        }
        finally
        {
            gw.close();
            Shell.run("umount", "-l", state.toString());
        }
    }

    private java.util.Set<String> listedHosts() throws Exception
    {
        final java.util.Set<String> hosts = new java.util.TreeSet<>();
        JSON.readTree(cli("blocks", "--json").orThrow("blocks").stdout()).path("blocks")
            .forEach(b -> hosts.add(b.path("host").asText()));
        return hosts;
    }

    private java.util.Set<String> kernelHosts()
    {
        final Shell.Result list = net.exec(gateway, "nft", "-j", "list", "set", "inet", "egress25", "blocked4");
        final java.util.Set<String> hosts = new java.util.TreeSet<>();
        if (list.exitCode() != 0)
        {
            return hosts;
        }
        try
        {
            for (final JsonNode item : JSON.readTree(list.stdout()).path("nftables"))
            {
                for (final JsonNode elem : item.path("set").path("elem"))
                {
                    hosts.add(elem.path("elem").path("val").asText(elem.asText()));
                }
            }
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
        return hosts;
    }

    private Instant blockExpiry(final String host) throws Exception
    {
        for (final JsonNode b : JSON.readTree(cli("blocks", "--json").orThrow("blocks").stdout()).path("blocks"))
        {
            if (b.path("host").asText().equals(host))
            {
                return Instant.parse(b.path("expires").asText());
            }
        }
        throw new AssertionError(host + " not in blocks");
    }

    private void awaitBlocked(final String host, final Egress25Process gw) throws Exception
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline)
        {
            final Shell.Result blocks = cli("blocks", "--json");
            if (blocks.exitCode() == 0 && blocks.stdout().contains("\"" + host + "\""))
            {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(host + " was not blocked within 30 s\n" + gw.output());
    }
}
