package org.egress25.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egress25.synth.HostKind;
import org.egress25.synth.Scenario;
import org.egress25.synth.TrafficGenerator;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes {@code /metrics} from a real {@code egress25 replay} while it is still replaying (the capture is fed
 * through a FIFO, and the test holds back its second half) and checks the text with {@code promtool}.
 */
class MetricsEndpointIT
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldServeValidPrometheusTextDuringAReplay(@TempDir final Path dir) throws Exception
    {
        assumeTrue(Shell.hasCommand("promtool"), "needs promtool (Debian package prometheus)");
        assumeTrue(Shell.hasCommand("mkfifo"), "needs mkfifo");
        final Path pcap = dir.resolve("traffic.pcap");
        new TrafficGenerator(Scenario.builder().seed(7).start(Instant.parse("2026-05-01T12:00:00Z"))
            .duration(Duration.ofMinutes(5)).noHosts().hosts(HostKind.MASS_SENDER, 2).hosts(HostKind.WEB_USER, 3)
            .hosts(HostKind.SUBMISSION_USER, 2).inside("10.30.0.0/16").backgroundPackets(5000).build()).write(pcap);
        final byte[] content = Files.readAllBytes(pcap);
        final Path fifo = dir.resolve("feed.fifo");
        Shell.run("mkfifo", fifo.toString()).orThrow("mkfifo");
        final int port;
        try (ServerSocket probe = new ServerSocket(0))
        {
            port = probe.getLocalPort();
        }

        try (Egress25Process egress = Egress25Process.start(null, "replay", fifo.toString(), "--inside", "10.30.0.0/16",
            "--decisions", dir.resolve("decisions.jsonl").toString(), "--metrics-port", Integer.toString(port)))
        {
            try (OutputStream feed = Files.newOutputStream(fifo))
            {
                feed.write(content, 0, content.length * 3 / 4);
                feed.flush();
                final String body = scrapeUntil(port, "egress25_decisions_total{");
                final Path scraped = dir.resolve("metrics.txt");
                Files.writeString(scraped, body);
                final Shell.Result checkFile = Shell.run(List.of("sh", "-c", "promtool check metrics < " + scraped), 30);
                assertThat(checkFile.exitCode()).as(checkFile.stdout() + checkFile.stderr()).isZero();

                assertThat(body).contains("egress25_packets_captured_total", "egress25_packets_decoded_total{result=\"ok\"",
                    "egress25_packets_malformed_total{reason=", "egress25_pcap_dropped_total",
                    "egress25_ring_capacity_slots", "egress25_ring_remaining_capacity_slots",
                    "egress25_ring_publish_failures_total", "egress25_hosts_tracked", "egress25_hosts_evicted_total",
                    "egress25_processing_lag_seconds", "jvm_memory_bytes_used");
                assertThat(body).containsPattern("egress25_decisions_total\\{rule=\"[a-z0-9-]+\",action=\"block\"");
                assertThat(metricValue(body, "egress25_packets_captured_total")).isGreaterThan(0);
                assertThat(metricValue(body, "egress25_smtp_dialogue_enabled")).isEqualTo(1.0);
                assertThat(body).doesNotContain("10.30.");
                feed.write(content, content.length * 3 / 4, content.length - content.length * 3 / 4);
            }
            assertThat(egress.waitFor(60)).as(egress.output()).isZero();
        }
    }

    private static String scrapeUntil(final int port, final String needle) throws Exception
    {
        final long deadline = System.currentTimeMillis() + 60_000;
        String last = "";
        while (System.currentTimeMillis() < deadline)
        {
            try
            {
                final HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
                last = response.body();
                if (response.statusCode() == 200 && last.contains(needle))
                {
                    return last;
                }
            }
            catch (final java.io.IOException e)
            {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no metrics containing " + needle + " within a minute; last scrape:\n" + last);
    }

    private static double metricValue(final String body, final String name)
    {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(body);
        assertThat(m.find()).as(name).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
