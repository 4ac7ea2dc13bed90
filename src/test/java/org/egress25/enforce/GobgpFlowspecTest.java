package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.egress25.policy.FlowspecAction;
import org.junit.jupiter.api.Test;

/**
 * Reading GoBGP's RIB as {@code gobgp global rib -a ipv4-flowspec -j} printed it (the fixtures were recorded from
 * gobgpd 3.10 holding egress25's rules beside an operator's own), and the actions as the rules spell them.
 */
class GobgpFlowspecTest
{
    @Test
    void shouldListOnlyRulesOfEgress25sShapeWithTheirActions() throws IOException
    {
        final List<GobgpFlowspec.Route> routes = new ArrayList<>();
        GobgpFlowspec.parseRib(fixture("gobgp-rib-ipv4-flowspec.json"), List.of(25), routes);

        // the UDP rule to a destination, the ">=25" range and the rule for ports 25 and 2525 are someone else's
        assertThat(routes).containsExactlyInAnyOrder(
            new GobgpFlowspec.Route("10.0.3.8", "discard"),
            new GobgpFlowspec.Route("10.0.3.6", "redirect 65000:666"),
            new GobgpFlowspec.Route("10.0.3.7", "rate-limit 1000"));
    }

    @Test
    void shouldMatchTheWholeSetOfEnforcedPorts() throws IOException
    {
        final List<GobgpFlowspec.Route> routes = new ArrayList<>();
        GobgpFlowspec.parseRib(fixture("gobgp-rib-ipv4-flowspec.json"), List.of(2525, 25), routes);

        assertThat(routes).containsExactly(new GobgpFlowspec.Route("10.0.3.5", "discard"));
    }

    @Test
    void shouldReadIpv6HostsCanonicallyAndKeepPrefixes() throws IOException
    {
        final List<GobgpFlowspec.Route> routes = new ArrayList<>();
        GobgpFlowspec.parseRib(fixture("gobgp-rib-ipv6-flowspec.json"), List.of(25), routes);

        assertThat(routes).extracting(GobgpFlowspec.Route::source).containsExactlyInAnyOrder("2001:db8:1::5", "2001:db8:2::/64");
    }

    @Test
    void shouldReadAnEmptyRib() throws IOException
    {
        final List<GobgpFlowspec.Route> routes = new ArrayList<>();
        GobgpFlowspec.parseRib("{}\n", List.of(25), routes);
        GobgpFlowspec.parseRib("", List.of(25), routes);

        assertThat(routes).isEmpty();
    }

    @Test
    void shouldTurnHostsIntoSingleAddressPrefixesAndBack()
    {
        assertThat(GobgpFlowspec.prefix("198.51.100.7")).isEqualTo("198.51.100.7/32");
        assertThat(GobgpFlowspec.prefix("2001:db8::7")).isEqualTo("2001:db8::7/128");
        assertThat(GobgpFlowspec.prefix("2001:db8:1::/64")).isEqualTo("2001:db8:1::/64");
        assertThat(GobgpFlowspec.source("2001:0db8:0:0::7/128")).isEqualTo("2001:db8::7");
        assertThat(GobgpFlowspec.source("198.51.100.7/32")).isEqualTo("198.51.100.7");
    }

    @Test
    void shouldParseTheThreeActionsAndRefuseAnythingElse()
    {
        assertThat(FlowspecAction.parse("discard").gobgpWords()).containsExactly("discard");
        assertThat(FlowspecAction.parse("rate-limit 0").gobgpWords()).containsExactly("rate-limit", "0");
        assertThat(FlowspecAction.parse(" redirect  65000:666 ").gobgpWords()).containsExactly("redirect", "65000:666");

        assertThatThrownBy(() -> FlowspecAction.parse("drop")).hasMessageContaining("discard, rate-limit N or redirect ASN:NN");
        assertThatThrownBy(() -> FlowspecAction.parse("rate-limit fast")).hasMessageContaining("bytes per second");
        assertThatThrownBy(() -> FlowspecAction.parse("redirect 70000:1")).hasMessageContaining("16-bit ASN");
        assertThatThrownBy(() -> FlowspecAction.parse("discard now")).hasMessageContaining("takes no argument");
    }

    private static String fixture(final String name) throws IOException
    {
        try (InputStream in = GobgpFlowspecTest.class.getResourceAsStream(name))
        {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
