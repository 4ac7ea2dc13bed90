package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NftScriptTest
{
    private static final Instant NOW = Instant.parse("2026-11-28T02:00:00Z");

    @Test
    void shouldOnlyEverNameItsOwnTable()
    {
        final NftablesConfig config = NftablesConfig.builder().table("e25test").outputChain(true)
            .ports(List.of(25, 2525)).build();
        final String script = NftScript.setup(config) + NftScript.elements("e25test",
            List.of(new NftScript.Op("10.0.0.5", false, true, NOW.plusSeconds(60))), NOW, new ArrayList<>());

        assertThat(script.lines()).allSatisfy(line -> assertThat(line).contains(" inet e25test"));
        assertThat(script).doesNotContain("ruleset")
            .contains("add rule inet e25test forward ip saddr @blocked4 tcp dport { 25, 2525 } ct state new reject with tcp reset")
            .contains("add rule inet e25test output ip6 saddr @blocked6 tcp dport { 25, 2525 } ct state new reject with tcp reset")
            .contains("type filter hook forward priority -1; policy accept;");
    }

    @Test
    void shouldWriteUnblocksSoAnAbsentElementCannotFailTheBatch()
    {
        final String script = NftScript.elements("egress25", List.of(
            new NftScript.Op("10.0.0.5", false, false, null),
            new NftScript.Op("2001:db8::5", true, true, NOW.plusSeconds(3600)),
            new NftScript.Op("10.0.0.6", false, true, NOW.plusMillis(2500))), NOW, new ArrayList<>());

        assertThat(script).isEqualTo(String.join("\n",
            "add element inet egress25 blocked4 { 10.0.0.5 timeout 1s, 10.0.0.6 timeout 1s }",
            "delete element inet egress25 blocked4 { 10.0.0.5, 10.0.0.6 }",
            "add element inet egress25 blocked4 { 10.0.0.6 timeout 2s500ms }",
            "add element inet egress25 blocked6 { 2001:db8::5 timeout 1s }",
            "delete element inet egress25 blocked6 { 2001:db8::5 }",
            "add element inet egress25 blocked6 { 2001:db8::5 timeout 1h }",
            ""));
    }

    @Test
    void shouldPutAPrefixBlockInTheIntervalSetOfPrefixes()
    {
        final String script = NftScript.elements("egress25", List.of(
            NftScript.Op.of("2001:db8:1:2::/64", true, NOW.plusSeconds(600)),
            NftScript.Op.of("2001:db8:1:3::5", true, NOW.plusSeconds(600))), NOW, new ArrayList<>());

        assertThat(script).isEqualTo(String.join("\n",
            "add element inet egress25 blocked6 { 2001:db8:1:3::5 timeout 1s }",
            "delete element inet egress25 blocked6 { 2001:db8:1:3::5 }",
            "add element inet egress25 blocked6 { 2001:db8:1:3::5 timeout 10m }",
            "add element inet egress25 blocked6net { 2001:db8:1:2::/64 timeout 1s }",
            "delete element inet egress25 blocked6net { 2001:db8:1:2::/64 }",
            "add element inet egress25 blocked6net { 2001:db8:1:2::/64 timeout 10m }",
            ""));
    }

    @Test
    void shouldMatchBlockedPrefixesOnlyAfterTheExemptionsSoAnExemptCustomerInsideOneKeepsPort25()
    {
        final List<String> rules = NftScript.setup(NftablesConfig.builder().build()).lines()
            .filter(line -> line.startsWith("add rule inet egress25 forward ip6")).toList();

        assertThat(NftScript.setup(NftablesConfig.builder().build()))
            .contains("add set inet egress25 blocked6net { type ipv6_addr; flags interval, timeout; }");
        assertThat(rules).extracting(line -> line.replaceAll(".* (saddr|daddr) @(\\w+) .*", "$2"))
            .containsExactly("blocked6", "exempt6", "relays6", "blocked6net", "policed6");
    }

    @Test
    void shouldLeaveOutBlocksThatHaveAlreadyExpired()
    {
        final List<NftScript.Op> skipped = new ArrayList<>();
        final String script = NftScript.elements("egress25",
            List.of(new NftScript.Op("10.0.0.5", false, true, NOW.minusSeconds(1))), NOW, skipped);

        assertThat(script).isEmpty();
        assertThat(skipped).hasSize(1);
    }

    @Test
    void shouldRoundTimeoutsUpSoABlockNeverEndsEarly()
    {
        assertThat(NftScript.timeout(Duration.ofSeconds(3600))).isEqualTo("1h");
        assertThat(NftScript.timeout(Duration.ofMillis(2500))).isEqualTo("2s500ms");
        assertThat(NftScript.timeout(Duration.ofNanos(2_000_000_001L))).isEqualTo("2s1ms");
        assertThat(NftScript.timeout(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(NftScript.timeout(Duration.ofMinutes(123))).isEqualTo("2h3m");
        assertThat(NftScript.timeout(Duration.ofDays(300_000))).as("capped at the kernel's limit").isEqualTo("213503d");
        assertThat(NftScript.timeout(Duration.ZERO)).isEqualTo("1ms");
    }

    @Test
    void shouldRejectSettingsThatWouldBreakOrEscapeTheScript()
    {
        assertThatThrownBy(() -> NftablesConfig.builder().table("egress25; flush ruleset").build())
            .hasMessageContaining("must be a letter followed by letters, digits or _");
        assertThatThrownBy(() -> NftablesConfig.builder().ports(List.of(25, 70000)).build())
            .hasMessageContaining("blocked port 70000 is outside 1..65535");
        assertThatThrownBy(() -> NftablesConfig.builder().ports(List.of()).build())
            .hasMessageContaining("at least one port");
        assertThatThrownBy(() -> NftablesConfig.builder().priority(-300).build())
            .hasMessageContaining("chain priority -300 must be in -199..1000");
        assertThat(NftVerdict.parse(" Drop ")).isEqualTo(NftVerdict.DROP);
        assertThatThrownBy(() -> NftVerdict.parse("accept")).hasMessageContaining("not one of: drop, reject");
    }

    @Test
    void shouldParseSetListingsWithAndWithoutTimeouts() throws Exception
    {
        final List<KernelElement> elements = new ArrayList<>();
        NftablesEnforcer.parseSet("{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}}, {\"set\": {\"family\": \"inet\","
            + " \"name\": \"blocked6\", \"table\": \"egress25\", \"type\": \"ipv6_addr\", \"flags\": [\"timeout\"],"
            + " \"elem\": [{\"elem\": {\"val\": \"fd25:0:0:1::2\", \"timeout\": 3600, \"expires\": 3599.5}}, \"fd25::9\"]}}]}",
            elements);

        assertThat(elements).containsExactly(
            new KernelElement("fd25:0:0:1::2", Duration.ofSeconds(3600), Duration.ofMillis(3599500)),
            new KernelElement("fd25::9", null, null));
    }

    @Test
    void shouldReadBlockedPrefixesBackFromTheIntervalSet() throws Exception
    {
        final List<KernelElement> elements = new ArrayList<>();
        NftablesEnforcer.parseSet("{\"nftables\": [{\"set\": {\"family\": \"inet\", \"name\": \"blocked6net\","
            + " \"flags\": [\"interval\", \"timeout\"], \"elem\": [{\"elem\": {\"val\": {\"prefix\":"
            + " {\"addr\": \"2001:db8:1:2::\", \"len\": 64}}, \"timeout\": 600, \"expires\": 599}}]}}]}", elements);

        assertThat(elements).containsExactly(
            new KernelElement("2001:db8:1:2::/64", Duration.ofSeconds(600), Duration.ofSeconds(599)));
    }
}
