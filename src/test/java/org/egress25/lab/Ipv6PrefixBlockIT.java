package org.egress25.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * An IPv6 bot that takes a new temporary address (RFC 8981) inside its /64 every few connections, live:
 * subscribers on one link with two /64s, a gateway namespace where {@code egress25 run} captures with libpcap
 * on the inside veth and enforces with nftables, servers beyond it. With the shipped rules no address of the
 * bot crosses a limit alone, its /64 does: the /64 is blocked as one (an address it never used before is
 * refused too), while the other /64 of the same link, an exempt server inside the blocked /64, and submission
 * keep working; the prefix block survives a {@code kill -9} and is lifted by {@code unblock PREFIX}.
 */
class Ipv6PrefixBlockIT
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOT_PREFIX = "2001:db8:1000:1::/64";
    private static final String NEIGHBOUR = "2001:db8:1000:2::77";
    private static final String EXEMPT = "2001:db8:1000:1::25";
    private static final String FRESH = "2001:db8:1000:1:dead:beef:0:9";
    private static final int ROTATIONS = 8;

    @TempDir
    Path dir;

    private NetNs net;
    private String client;
    private String gateway;
    private Process servers;
    private Path controlSocket;
    private final List<String> bot = new ArrayList<>();
    private final List<String> destinations = new ArrayList<>();

    @BeforeEach
    void buildNetwork() throws Exception
    {
        assumeTrue(NetNs.available() && Shell.hasCommand("nft"), "needs root, iproute2 and nftables");
        net = new NetNs();
        client = net.create("cli");
        gateway = net.create("gw");
        final String server = net.create("srv");
        net.link(client, "e25c0", gateway, "e25g0");
        net.link(gateway, "e25g1", server, "e25s0");
        for (int i = 0; i < ROTATIONS; i++)
        {
            // temporary addresses look random in their lower 64 bits
            bot.add(String.format("2001:db8:1000:1:%x:%x:%x:%x", 0x2a00 + 97 * i, 0x1f3 * (i + 3), 0xbe00 + i, 7 + i));
        }
        final List<String> subscribers = new ArrayList<>(bot);
        subscribers.addAll(List.of(NEIGHBOUR, EXEMPT, FRESH));
        for (final String address : subscribers)
        {
            net.address(client, "e25c0", address + "/64");
        }
        net.address(gateway, "e25g0", "2001:db8:1000:1::1/64");
        net.address(gateway, "e25g0", "2001:db8:1000:2::1/64");
        net.address(gateway, "e25g1", "2001:db8:ff00::1/64");
        net.address(server, "e25s0", "2001:db8:ff00::2/64");
        net.exec(gateway, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").orThrow("forwarding");
        net.exec(client, "ip", "-6", "route", "add", "default", "via", "2001:db8:1000:1::1").orThrow("client route");
        net.exec(server, "ip", "-6", "route", "add", "default", "via", "2001:db8:ff00::1").orThrow("server route");
        net.exec(gateway, "ip", "-6", "route", "add", "2001:db8:ff25::/64", "via", "2001:db8:ff00::2").orThrow("route");
        for (int i = 1; i <= 3 * ROTATIONS; i++)
        {
            net.address(server, "lo", "2001:db8:ff25::" + Integer.toHexString(i) + "/128");
            destinations.add("2001:db8:ff25::" + Integer.toHexString(i));
        }
        servers = TcpPeers.serverOn(server, "::", 25, 587);
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

    /** The shipped rules (2001:db8:1000::/36 is residential, ipv6-prefix 64 by default) plus one exempt server. */
    private Path rules() throws Exception
    {
        final Path rules = Files.createDirectories(dir.resolve("rules"));
        for (final String name : List.of("networks.yaml", "detectors.yaml", "enforcement.yaml", "exemptions.yaml"))
        {
            Files.copy(Path.of("rules", name), rules.resolve(name));
        }
        Files.writeString(rules.resolve("exemptions.yaml"), Files.readString(rules.resolve("exemptions.yaml"))
            + "  - source: " + EXEMPT + "/128\n    comment: a customer's own MTA inside the bot's /64\n");
        return rules;
    }

    private Egress25Process startGateway(final Path rules) throws Exception
    {
        final Egress25Process p = Egress25Process.start(gateway, "run", "--interface", "e25g0",
            "--rules", rules.toString(), "--enforce", "nftables", "--state-dir", dir.resolve("state").toString(),
            "--decisions", dir.resolve("decisions.jsonl").toString(), "--control-socket", controlSocket.toString(),
            "--metrics-port", "0");
        p.awaitStderr(line -> line.contains("running on e25g0"), 30_000);
        return p;
    }

    private Shell.Result cli(final String... args)
    {
        return Egress25Process.control(net, gateway, controlSocket, args);
    }

    private int connects(final String source, final int port, final List<String> to)
    {
        return TcpPeers.connect(net, client, source, port, 2.0, to);
    }

    private List<String> blockedHosts() throws Exception
    {
        final List<String> hosts = new ArrayList<>();
        final Shell.Result blocks = cli("blocks", "--json");
        if (blocks.exitCode() == 0)
        {
            for (final JsonNode b : JSON.readTree(blocks.stdout()).path("blocks"))
            {
                hosts.add(b.path("host").asText());
            }
        }
        return hosts;
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldBlockARotatingBotAsItsSlash64AndLeaveTheOtherSlash64OfTheLinkItsPort25() throws Exception
    {
        final Path rules = rules();
        Egress25Process gw = startGateway(rules);
        try
        {
            // three connections per address to servers it has not tried before: each address is far under
            // every limit (20 a minute, 10 destinations in 5 minutes), the /64 together is not
            int connected = 0;
            for (int i = 0; i < ROTATIONS; i++)
            {
                connected += connects(bot.get(i), 25, destinations.subList(3 * i, 3 * i + 3));
            }
            assertThat(connected).as("the bot's connections before any block").isPositive();
            awaitBlocked(BOT_PREFIX, gw);

            assertThat(blockedHosts()).as("blocked as a prefix, not address by address")
                .contains(BOT_PREFIX).noneMatch(h -> h.startsWith("2001:db8:1000:2:")).noneMatch(bot::contains);
            final String decisions = Files.readString(dir.resolve("decisions.jsonl"));
            decisions.lines().filter(line -> line.contains("\"action\":\"block\"")).forEach(System.out::println);
            assertThat(connects(FRESH, 25, destinations.subList(0, 3)))
                .as("an address of the blocked /64 never used before, on 25").isZero();
            assertThat(connects(NEIGHBOUR, 25, destinations.subList(0, 3)))
                .as("the other /64 on the same link keeps port 25").isEqualTo(3);
            assertThat(connects(EXEMPT, 25, destinations.subList(0, 3)))
                .as("an exempt customer inside the blocked /64 keeps port 25").isEqualTo(3);
            assertThat(connects(FRESH, 587, destinations.subList(0, 3))).as("submission stays open").isEqualTo(3);
            assertThat(net.exec(gateway, "nft", "list", "set", "inet", "egress25", "blocked6net").orThrow("nft").stdout())
                .contains(BOT_PREFIX);
            final Shell.Result explain = cli("explain", BOT_PREFIX);
            assertThat(explain.exitCode()).as(explain.stderr()).isZero();
            assertThat(explain.stdout()).contains(BOT_PREFIX + ": class residential-dynamic").contains("BLOCKED by ")
                .contains("sequential test: LLR").contains("port25-fanout-5m");

            gw.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);   // kill -9
            net.exec(gateway, "nft", "flush", "set", "inet", "egress25", "blocked6net").orThrow("flush");
            gw = startGateway(rules);
            assertThat(blockedHosts()).as("the journal restores the prefix block").contains(BOT_PREFIX);
            assertThat(net.exec(gateway, "nft", "list", "set", "inet", "egress25", "blocked6net").orThrow("nft").stdout())
                .as("reconcile puts the prefix back in the kernel").contains(BOT_PREFIX);
            assertThat(connects(FRESH, 25, destinations.subList(0, 1))).as("still blocked after the restart").isZero();

            final Shell.Result unblock = cli("unblock", "2001:db8:1000:1::/64", "--reason", "customer cleaned the PC");
            assertThat(unblock.exitCode()).as(unblock.stderr()).isZero();
            assertThat(connects(FRESH, 25, destinations.subList(0, 1))).as("after unblock PREFIX").isEqualTo(1);
            assertThat(Files.readString(dir.resolve("decisions.jsonl")))
                .contains("\"host\":\"" + BOT_PREFIX + "\",\"action\":\"block\"")
                .contains("\"host\":\"" + BOT_PREFIX + "\",\"action\":\"unblock\"");
        }
        finally
        {
            gw.close();
        }
    }

    private void awaitBlocked(final String host, final Egress25Process gw) throws Exception
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline)
        {
            if (blockedHosts().contains(host))
            {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(host + " was not blocked within 30 s; blocks " + blockedHosts() + "\n" + gw.output()
            + "\ndecisions:\n" + (Files.exists(dir.resolve("decisions.jsonl"))
                ? Files.readString(dir.resolve("decisions.jsonl")) : "(none)"));
    }
}
