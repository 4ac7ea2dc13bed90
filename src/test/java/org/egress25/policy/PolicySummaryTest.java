package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicySummaryTest
{
    @TempDir
    Path dir;

    @Test
    void shouldShowClassesSizesModesOverridesLadderEnforcerAndHashOfTheShippedRules() throws Exception
    {
        final Policy policy = PolicyLoader.load(Path.of("rules"));

        final String text = PolicySummary.render(policy, Instant.parse("2026-11-28T00:00:00Z"));

        assertThat(text)
            .contains("Hash:  sha256:" + policy.hash())
            .containsPattern("residential-dynamic +detect-then-block +4 networks, 16,843,008 IPv4 addresses,"
                + " 1 IPv6 prefix")
            .containsPattern("100\\.64\\.0\\.0/10 +4,194,304 addresses")
            .containsPattern("2001:db8:1000::/36 +2\\^92 addresses \\(2\\^28 /64 subnets\\)")
            .containsPattern("isp-relays +observe")
            .containsPattern("port25-attempts-1m +attempts +relay +1m +block +>20 +>20 +>60\\* +>200\\* +>20")
            .containsPattern("port25-failure-ratio-5m .* >=0\\.5/20 +>=0\\.5/20 +>=0\\.5/20 +>=0\\.5/20")
            .contains("(isp-relays is observe: its detectors only alert)")
            .contains("Blocking ladder: 10m, 1h, 24h, 7d (a repeat offence within 30d takes the next step")
            .contains("Enforcement: none (ports [25], verdict reject, nftables table egress25)")
            .contains("Capture: SMTP ports 25, 465, 587, 2525; SYN timeout 10s")
            .containsPattern("sprt +block +alpha=0.01 beta=0.01 theta0=0.2 theta1=0.9: block above 4.60");
    }

    @Test
    void shouldMarkExpiredExemptionsAndCountDownTheOthers() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("e.yaml"), String.join("\n",
            "version: 1",
            "exemptions:",
            "  - source: 203.0.113.10/32",
            "    expires: 2027-01-31",
            "    ticket: CUST-4711",
            "  - destination: 192.0.2.25/32",
            "    expires: 2026-12-01",
            "    comment: old smarthost",
            ""));
        final Policy policy = PolicyLoader.load(file, Instant.parse("2026-11-28T00:00:00Z"));

        final String text = PolicySummary.render(policy, Instant.parse("2026-12-15T00:00:00Z"));

        assertThat(text)
            .containsPattern("source +203\\.0\\.113\\.10/32 +expires 2027-01-31T00:00:00Z \\(in 47d\\)  ticket CUST-4711"
                + "  \\[" + Pattern.quote(file + ":3") + "]")
            .containsPattern("destination +192\\.0\\.2\\.25/32 +EXPIRED 2026-12-01T00:00:00Z \\(no longer applies\\)"
                + "  old smarthost")
            .contains("Classes: none (no address is inside unless --inside names it)")
            .contains("Warnings and notes:")
            .contains("is in no class here, so it is only inside when --inside names it");
    }

    @Test
    void shouldWriteDurationsTheWayTheRulesDo()
    {
        assertThat(PolicySummary.duration(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(PolicySummary.duration(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(PolicySummary.duration(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(PolicySummary.duration(Duration.ofHours(24))).isEqualTo("24h");
        assertThat(PolicySummary.duration(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(PolicySummary.duration(Duration.ofSeconds(Long.MAX_VALUE / 2))).endsWith("s");
    }
}
