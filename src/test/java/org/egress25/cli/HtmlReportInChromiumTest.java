package org.egress25.cli;

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
import org.egress25.synth.HostKind;
import org.egress25.synth.Scenario;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report opened the way a person opens it: a replay writes {@code report.html}, Debian's Chromium
 * loads it headless from the file, runs its script, and we read the DOM it ended with and keep a screenshot
 * beside it (target/report-screenshot.png, to look at). Every flagged host of the replay must have its
 * section, its timeline chart with a decision marked on it, and the evidence of its decisions, and the
 * page must load nothing from elsewhere.
 */
class HtmlReportInChromiumTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHROMIUM = "/usr/bin/chromium";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldShowEveryFlaggedHostWithItsChartAndEvidenceInChromium() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of(CHROMIUM)), "needs Debian's chromium (deploy/setup.sh installs it)");
        final Scenario scenario = Scenario.builder().seed(25).start(Instant.parse("2026-03-02T09:00:00Z"))
            .duration(Duration.ofMinutes(10)).noHosts()
            .hosts(HostKind.MASS_SENDER, 2).hosts(HostKind.PORT25_SCANNER, 1).hosts(HostKind.SLOW_SPAMBOT, 1)
            .hosts(HostKind.WEB_USER, 3).hosts(HostKind.SMALL_MTA, 1)
            .inside("10.20.0.0/16").backgroundPackets(5_000).build();
        final LabelledTraffic traffic = LabelledTraffic.generate(scenario, dir);
        traffic.replay(dir, "--inside", "10.20.0.0/16", "--quiet");
        assertThat(traffic.exitCode).as(traffic.stderr).isZero();
        final Path html = dir.resolve("report").resolve("report.html");
        final JsonNode report = JSON.readTree(dir.resolve("report").resolve("report.json").toFile());
        final List<String> flagged = new ArrayList<>();
        report.path("hosts").forEach(h -> flagged.add(h.path("host").asText()));
        assertThat(flagged).as("the replay flagged hosts").isNotEmpty();
        assertThat(Files.readString(html)).as("self-contained").doesNotContain("src=\"http").doesNotContain("href=\"http")
            .doesNotContain("<link");

        final Shell.Result dom = chromium("--dump-dom", html.toUri().toString());
        assertThat(dom.exitCode()).as(dom.stderr()).isZero();
        final String page = dom.stdout();
        assertThat(page).contains("egress25 flagged-host report");
        for (final String host : flagged)
        {
            final String section = section(page, host);
            assertThat(section).as(host + " has its section").isNotEmpty();
            assertThat(section).as(host + " chart").contains("<svg class=\"timeline\"").contains("class=\"decision ");
            assertThat(section).as(host + " evidence").contains("Decisions and their evidence")
                .containsPattern("<td class=\"(block|alert|unblock)\">");
            assertThat(page).as(host + " in the host list").contains("<a href=\"#host-" + host.replaceAll("[^A-Za-z0-9]", "-") + "\">");
        }
        assertThat(page).as("the list sorts").contains("data-sort=\"number\"");

        // a ticket's link to one host opens the list filtered to it: the page's script ran and hid the others
        final String one = flagged.get(flagged.size() - 1);
        final Shell.Result filtered = chromium("--dump-dom", html.toUri() + "#filter=" + one);
        assertThat(filtered.exitCode()).as(filtered.stderr()).isZero();
        int shown = 0;
        int hidden = 0;
        final java.util.regex.Matcher all = java.util.regex.Pattern.compile("<tr class=\"host-row\"([^>]*)>").matcher(filtered.stdout());
        while (all.find())
        {
            if (all.group(1).contains("display: none"))
            {
                hidden++;
            }
            else
            {
                shown++;
            }
        }
        final long matching = flagged.stream().filter(h -> h.contains(one)).count();
        assertThat(shown).as("rows shown for " + one).isEqualTo((int)matching);
        assertThat(hidden).as("rows hidden").isEqualTo(flagged.size() - (int)matching).isPositive();

        final Path screenshot = Path.of("target", "report-screenshot.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        final Shell.Result shot = chromium("--screenshot=" + screenshot, "--window-size=1200,2400", html.toUri().toString());
        assertThat(shot.exitCode()).as(shot.stderr()).isZero();
        assertThat(Files.size(screenshot)).as("a screenshot with something on it").isGreaterThan(20_000);
    }

    /** The host's section as Chromium rendered it, from its opening tag to the next section. */
    private static String section(final String page, final String host)
    {
        final int start = page.indexOf("<section class=\"host\" id=\"host-" + host.replaceAll("[^A-Za-z0-9]", "-") + "\"");
        if (start < 0)
        {
            return "";
        }
        final int end = page.indexOf("<section", start + 10);
        return page.substring(start, end < 0 ? page.length() : end);
    }

    private Shell.Result chromium(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium")));
        command.addAll(List.of(args));
        return Shell.run(command, 90);
    }
}
