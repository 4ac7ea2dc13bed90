package org.egress25.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egress25.testing.NetNs;
import org.egress25.testing.Shell;

/**
 * A gateway that announces flowspec and an edge router that receives it, in namespaces the test owns:
 *
 * <pre>
 *   client ns  (10.77.0.2, 2001:db8:1077::2: residential-dynamic in the shipped rules)
 *      │ e25c0 ── e25s0   gateway ns: egress25 captures here; gobgpd AS 64512 on 10.255.0.1;
 *                                    198.18.0.1-16 on lo, where nothing listens on port 25 (connects are refused)
 *                 e25b0 ── e25r0   router ns: BIRD 2, AS 64513 on 10.255.0.2, flow4/flow6 tables
 * </pre>
 *
 * BIRD is the independent speaker: what its flowspec tables hold is what an edge router would filter on.
 */
final class FlowspecLab implements AutoCloseable
{
    static final String CLIENT4 = "10.77.0.2";
    static final String CLIENT6 = "2001:db8:1077::2";

    private static final Pattern BIRD_SOURCE = Pattern.compile("flow[46] \\{ src ([0-9a-fA-F:.]+/\\d+);([^}]*)}");

    private final NetNs net = new NetNs();
    private final Path dir;
    final String client;
    final String gateway;
    final String router;
    private Process gobgpd;
    private Process bird;

    FlowspecLab(final Path dir) throws IOException, InterruptedException
    {
        this.dir = dir;
        client = net.create("cli");
        gateway = net.create("gw");
        router = net.create("rtr");
        for (final String ns : List.of(client, gateway, router))
        {
            net.exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        }
        net.link(client, "e25c0", gateway, "e25s0");
        net.link(gateway, "e25b0", router, "e25r0");
        net.address(client, "e25c0", CLIENT4 + "/24");
        net.address(client, "e25c0", CLIENT6 + "/64");
        net.address(gateway, "e25s0", "10.77.0.1/24");
        net.address(gateway, "e25s0", "2001:db8:1077::1/64");
        for (int i = 1; i <= 16; i++)
        {
            net.address(gateway, "lo", "198.18.0." + i + "/32");
        }
        net.address(gateway, "lo", "2001:db8:18::1/128");
        net.route(client, "198.18.0.0/24", "10.77.0.1");
        net.exec(client, "ip", "-6", "route", "add", "2001:db8:18::/64", "via", "2001:db8:1077::1").orThrow("v6 route");
        net.address(gateway, "e25b0", "10.255.0.1/30");
        net.address(router, "e25r0", "10.255.0.2/30");
        Files.writeString(dir.resolve("gobgpd.toml"), String.join("\n",
            "[global.config]",
            "  as = 64512",
            "  router-id = \"10.255.0.1\"",
            "[[neighbors]]",
            "  [neighbors.config]",
            "    neighbor-address = \"10.255.0.2\"",
            "    peer-as = 64513",
            "  [[neighbors.afi-safis]]",
            "    [neighbors.afi-safis.config]",
            "      afi-safi-name = \"ipv4-flowspec\"",
            "  [[neighbors.afi-safis]]",
            "    [neighbors.afi-safis.config]",
            "      afi-safi-name = \"ipv6-flowspec\"",
            ""));
        Files.writeString(dir.resolve("bird.conf"), String.join("\n",
            "router id 10.255.0.2;",
            "flow4 table flowtab4;",
            "flow6 table flowtab6;",
            "protocol device {}",
            "protocol bgp egress25_gateway {",
            "  local 10.255.0.2 as 64513;",
            "  neighbor 10.255.0.1 as 64512;",
            "  flow4 { table flowtab4; import all; export none; };",
            "  flow6 { table flowtab6; import all; export none; };",
            "}",
            ""));
        bird = new ProcessBuilder(NetNs.inNs(router, List.of("bird", "-f", "-c", dir.resolve("bird.conf").toString(),
            "-s", birdSocket().toString())))
            .redirectErrorStream(true).redirectOutput(dir.resolve("bird.log").toFile()).start();
    }

    /** True when this process can build the lab: root, with ip, nft, gobgpd and bird installed. */
    static boolean available()
    {
        return NetNs.available() && Shell.hasCommand("gobgpd") && Shell.hasCommand("gobgp") && Shell.hasCommand("bird");
    }

    /** Starts (or restarts) gobgpd in the gateway namespace and waits until its API answers. */
    void startGobgpd() throws IOException, InterruptedException
    {
        gobgpd = new ProcessBuilder(NetNs.inNs(gateway, List.of("gobgpd", "-f", dir.resolve("gobgpd.toml").toString())))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("gobgpd.log").toFile()))
            .start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            if (net.exec(gateway, "gobgp", "global").exitCode() == 0)
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("gobgpd did not answer within 20 s: " + Files.readString(dir.resolve("gobgpd.log")));
    }

    /** Stops gobgpd; its BGP session drops and BIRD forgets every rule it had from it. */
    void stopGobgpd() throws InterruptedException
    {
        if (gobgpd != null)
        {
            gobgpd.destroy();
            gobgpd.waitFor(10, TimeUnit.SECONDS);
            gobgpd = null;
        }
    }

    /** Runs {@code gobgp ARGS} in the gateway namespace, as an operator at the gateway would. */
    Shell.Result gobgp(final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("gobgp"));
        command.addAll(List.of(args));
        return net.exec(gateway, command);
    }

    /**
     * The sources of the port-25 flowspec rules in the router's tables, with their match, as BIRD prints them,
     * e.g. {@code 10.77.0.2/32 proto 6; dport 25;}.
     */
    Set<String> routerRules()
    {
        final Set<String> rules = new TreeSet<>();
        for (final String table : List.of("flowtab4", "flowtab6"))
        {
            final Shell.Result result = Shell.run(List.of("birdc", "-s", birdSocket().toString(), "show", "route", "table", table), 20);
            final Matcher m = BIRD_SOURCE.matcher(result.stdout());
            while (m.find())
            {
                rules.add(m.group(1) + m.group(2).replaceAll("\\s+", " ").stripTrailing());
            }
        }
        return rules;
    }

    /** Just the sources, for comparing with the journal's blocks. */
    Set<String> routerSources()
    {
        final Set<String> sources = new TreeSet<>();
        for (final String rule : routerRules())
        {
            sources.add(rule.substring(0, rule.indexOf('/')));
        }
        return sources;
    }

    /** BIRD's full view of one table, for failure messages and checking the action's extended community. */
    String routerTable(final String table)
    {
        return Shell.run(List.of("birdc", "-s", birdSocket().toString(), "show", "route", "table", table, "all"), 20).stdout();
    }

    boolean routerSessionUp()
    {
        return Shell.run(List.of("birdc", "-s", birdSocket().toString(), "show", "protocols", "egress25_gateway"), 20)
            .stdout().contains("Established");
    }

    /** Connects from the client to {@code count} gateway addresses on port 25, where each is refused (RST). */
    int refusedConnects(final int count)
    {
        final List<String> destinations = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            destinations.add("198.18.0." + (1 + i % 16));
        }
        return org.egress25.testing.TcpPeers.connect(net, client, CLIENT4, 25, 1, destinations);
    }

    NetNs net()
    {
        return net;
    }

    private Path birdSocket()
    {
        return dir.resolve("bird.ctl");
    }

    @Override
    public void close()
    {
        try
        {
            stopGobgpd();
            if (bird != null)
            {
                bird.destroy();
                bird.waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            net.close();  // kills whatever is still running inside
        }
    }
}
