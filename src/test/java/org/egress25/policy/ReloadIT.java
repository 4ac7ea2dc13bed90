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
                Shell.run("kill", "-HUP", Long.toString(egress.pid())).orThrow("SIGHUP");
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
