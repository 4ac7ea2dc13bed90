package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.NetNs;
import org.egress25.testing.Shell;
import org.egress25.testing.TcpPeers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload on a real running {@code egress25 run} with a real SIGHUP: a broken rule file is refused with its
 * exact location and the running rules keep deciding; a good change applies between events without losing
 * what the analysers already counted.
 */
class ReloadIT
{
    private static final String HOST = "10.77.0.2";

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldKeepOldRulesOnABrokenFileAndApplyAGoodOneKeepingHostState(@TempDir final Path dir) throws Exception
    {
        assumeTrue(NetNs.available(), "needs root and iproute2");
        final Path rules = Files.createDirectories(dir.resolve("rules"));
        for (final String name : List.of("networks.yaml", "detectors.yaml", "enforcement.yaml", "exemptions.yaml"))
        {
            Files.copy(Path.of("rules", name), rules.resolve(name));
        }
        final Path detectors = rules.resolve("detectors.yaml");
        final String original = Files.readString(detectors);
        final Path decisions = dir.resolve("decisions.jsonl");
        try (NetNs net = new NetNs())
        {
            final String client = net.create("cli");
            final String server = net.create("srv");
            net.link(client, "e25c0", server, "e25s0");
            net.address(client, "e25c0", HOST + "/24");
            net.address(server, "e25s0", "10.77.0.1/24");
            net.address(server, "lo", "198.18.0.1/32");
            net.route(client, "198.18.0.0/24", "10.77.0.1");
            final Process peers = TcpPeers.server(server, 25);
            try (Egress25Process egress = Egress25Process.start(server, "run", "--interface", "e25s0",
                "--rules", rules.toString(), "--decisions", decisions.toString(), "--metrics-port", "9391",
                "--control-socket", dir.resolve("control.sock").toString(), "--state-dir", dir.resolve("state").toString()))
            {
                egress.awaitStderr(l -> l.contains("running on e25s0"), 30_000);
                final String hashBefore = activeHash(net, server);

                // 8 attempts to one server: under every default threshold (20/min, 10 distinct)
                assertThat(TcpPeers.connect(net, client, HOST, 25, 2, Collections.nCopies(8, "198.18.0.1"))).isEqualTo(8);

                Files.writeString(detectors, original.replace("    threshold: 20\n", "    threshold: 20\n    bogus-key: 1\n"));
                final Path pidFile = dir.resolve("state").resolve("egress25.pid");
                assertThat(Files.readString(pidFile).strip()).as("the pid file names the daemon, for kill -HUP")
                    .isEqualTo(Long.toString(egress.pid()));
                Shell.run("kill", "-HUP", Files.readString(pidFile).strip()).orThrow("SIGHUP");
                final String problem = egress.awaitStderr(l -> l.contains("detectors.yaml:") && l.contains("bogus-key"), 20_000);
                assertThat(problem).containsPattern("detectors\\.yaml:\\d+:\\d+");
                awaitMetric(net, server, "egress25_rules_reload_total{result=\"failure\",}", 1);
                assertThat(activeHash(net, server)).isEqualTo(hashBefore);

                Files.writeString(detectors, original.replace("    threshold: 20\n", "    threshold: 5\n"));
                Shell.run("kill", "-HUP", Long.toString(egress.pid())).orThrow("SIGHUP");
                awaitMetric(net, server, "egress25_rules_reload_total{result=\"success\",}", 1);
                assertThat(activeHash(net, server)).isNotEqualTo(hashBefore);

                // one more attempt: 9 in the minute, now above the new limit of 5 only because the 8 were kept
                TcpPeers.connect(net, client, HOST, 25, 2, List.of("198.18.0.1"));
                final long deadline = System.currentTimeMillis() + 15_000;
                while (System.currentTimeMillis() < deadline
                    && !(Files.exists(decisions) && Files.readString(decisions).contains("port25-attempts-1m")))
                {
                    Thread.sleep(200);
                }
                assertThat(Files.exists(decisions) ? Files.readString(decisions) : "").as(egress.output())
                    .contains("\"host\":\"" + HOST + "\"").contains("port25-attempts-1m").contains("above the limit of 5");
            }
            finally
            {
                peers.destroyForcibly();
            }
        }
    }

    /**
     * An editor that saves in place ({@code cat new > exemptions.yaml}) leaves the file empty for a moment; the
     * kernel's {@code exempt4} set must keep every exempt customer meanwhile, and a half-written file that drops
     * most of them is held.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldKeepTheKernelExemptionsWhenTheExemptionsFileIsTruncatedOrCutShort(@TempDir final Path dir)
        throws Exception
    {
        assumeTrue(NetNs.available(), "needs root and iproute2");
        final Path rules = Files.createDirectories(dir.resolve("rules"));
        for (final String name : List.of("networks.yaml", "detectors.yaml", "enforcement.yaml"))
        {
            Files.copy(Path.of("rules", name), rules.resolve(name));
        }
        final Path exemptions = rules.resolve("exemptions.yaml");
        final StringBuilder four = new StringBuilder("version: 1\nexemptions:\n");
        for (int i = 1; i <= 4; i++)
        {
            // a gap between each, or the kernel set merges them into one range
            four.append("  - source: 10.77.0.").append(10 + 2 * i).append("/32\n    ticket: MX-").append(i).append('\n');
        }
        Files.writeString(exemptions, four.toString());
        try (NetNs net = new NetNs())
        {
            final String gateway = net.create("gw");
            final String peer = net.create("peer");
            net.link(gateway, "e25g0", peer, "e25p0");
            net.address(gateway, "e25g0", "10.77.0.1/24");
            net.address(peer, "e25p0", HOST + "/24");
            try (Egress25Process egress = Egress25Process.start(gateway, "run", "--interface", "e25g0",
                "--rules", rules.toString(), "--enforce", "nftables", "--inside", "10.77.0.0/24",
                "--metrics-port", "9391", "--state-dir", dir.resolve("state").toString(),
                "--control-socket", dir.resolve("control.sock").toString()))
            {
                egress.awaitStderr(l -> l.contains("running on e25g0"), 30_000);
                assertThat(exempt4(net, gateway)).as(egress.output())
                    .contains("10.77.0.12").contains("10.77.0.14").contains("10.77.0.16").contains("10.77.0.18");

                Files.write(exemptions, new byte[0]);
                awaitMetric(net, gateway, "egress25_rules_reload_total{result=\"failure\",}", 1);
                Files.writeString(exemptions, four.substring(0, four.indexOf("  - source: 10.77.0.14")));
                awaitMetric(net, gateway, "egress25_rules_reload_total{result=\"held\",}", 1);

                assertThat(exempt4(net, gateway)).as("every exempt customer still exempt in the kernel")
                    .contains("10.77.0.12").contains("10.77.0.14").contains("10.77.0.16").contains("10.77.0.18");
                assertThat(egress.output()).contains("exemptions.yaml: error: the file is empty")
                    .contains("reload held: it would remove 3 of 4 exemptions");
            }
        }
    }

    private static String exempt4(final NetNs net, final String ns)
    {
        return net.exec(ns, "nft", "list", "set", "inet", "egress25", "exempt4").orThrow("nft").stdout();
    }

    private static String scrape(final NetNs net, final String ns)
    {
        return net.exec(ns, "/usr/bin/python3", "-c",
            "import urllib.request;print(urllib.request.urlopen('http://127.0.0.1:9391/metrics').read().decode())")
            .orThrow("scrape").stdout();
    }

    private static String activeHash(final NetNs net, final String ns)
    {
        final Matcher m = Pattern.compile("egress25_rules_active_info\\{hash=\"([^\"]+)\"").matcher(scrape(net, ns));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static void awaitMetric(final NetNs net, final String ns, final String series, final double atLeast)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 20_000;
        String body = "";
        while (System.currentTimeMillis() < deadline)
        {
            body = scrape(net, ns);
            final Matcher m = Pattern.compile(Pattern.quote(series) + " ([0-9.eE+-]+)").matcher(body);
            if (m.find() && Double.parseDouble(m.group(1)) >= atLeast)
            {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(series + " never reached " + atLeast + ":\n" + body);
    }
}
