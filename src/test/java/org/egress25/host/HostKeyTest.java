package org.egress25.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.policy.BlockLadder;
import org.egress25.policy.HostClass;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.PortGroup;
import org.junit.jupiter.api.Test;

class HostKeyTest
{
    private static final long T0 = 1_700_002_800L * 1_000_000_000L;

    @Test
    void shouldWriteAPrefixAsItsNetworkInRfc5952FormWithItsLength()
    {
        assertThat(HostKey.canonical("2001:DB8:1:2:0:0:0:7/64")).isEqualTo("2001:db8:1:2::/64");
        assertThat(HostKey.canonical("2001:db8:1:2::7/128")).isEqualTo("2001:db8:1:2::7");
        assertThat(HostKey.canonical("2001:db8:1:2::7")).isEqualTo("2001:db8:1:2::7");
        assertThat(HostKey.canonical("2001:db8:ab00::/40")).isEqualTo("2001:db8:ab00::/40");
        assertThat(HostKey.canonical("10.0.0.7")).isEqualTo("10.0.0.7");
    }

    @Test
    void shouldRefuseIpv4PrefixesAndLengthsOutside32To64()
    {
        assertThatThrownBy(() -> HostKey.parse("10.0.0.0/24")).hasMessageContaining("only IPv6 prefixes");
        assertThatThrownBy(() -> HostKey.parse("2001:db8::/65")).hasMessageContaining("/32 to /64");
        assertThatThrownBy(() -> HostKey.parse("2001:db8::/16")).hasMessageContaining("/32 to /64");
        assertThatThrownBy(() -> HostKey.parse("2001:db8::/x")).hasMessageContaining("bad prefix length");
    }

    @Test
    void shouldCoverTheAddressesOfThePrefixOnly()
    {
        final HostKey prefix = HostKey.parse("2001:db8:1:2::/64");
        final HostKey inside = HostKey.parse("2001:db8:1:2:aaaa::1");
        final HostKey outside = HostKey.parse("2001:db8:1:3::1");

        assertThat(prefix.covers(inside.hi(), inside.lo())).isTrue();
        assertThat(prefix.covers(outside.hi(), outside.lo())).isFalse();
        assertThat(prefix).isNotEqualTo(HostKey.parse("2001:db8:1:2::")).isEqualTo(HostKey.parse("2001:db8:1:2::9/64"));
    }

    @Test
    void shouldCountAnAddressInsideABlockedPrefixAsBlockedAndNotBlockItAgain()
    {
        final List<Decision> decisions = new ArrayList<>();
        final Verdicts verdicts = new Verdicts(decisions::add,
            new BlockLadder(List.of(Duration.ofMinutes(10)), Duration.ofDays(30)));
        final HostClass home = new HostClass("home", Port25Mode.DETECT_THEN_BLOCK,
            List.of(Cidr.parse("2001:db8::/32")), List.of());
        final HostKey prefix = HostKey.parse("2001:db8:1:2::/64");
        final HostKey member = HostKey.parse("2001:db8:1:2::55");

        verdicts.decide(prefix, home, PortGroup.RELAY, "sprt", Action.BLOCK, "test", Map.of(), T0);
        final Decision again = verdicts.decide(member, home, PortGroup.RELAY, "sprt", Action.BLOCK, "test", Map.of(), T0 + 1);
        final Decision twice = verdicts.decide(HostKey.parse("2001:db8:1:2::/64"), home, PortGroup.RELAY, "sprt",
            Action.BLOCK, "test", Map.of(), T0 + 2);

        assertThat(decisions).extracting(Decision::host).containsExactly("2001:db8:1:2::/64");
        assertThat(again).isNull();
        assertThat(twice).isNull();
        assertThat(verdicts.blockedUntilNanos(member.hi(), member.lo(), T0 + 1)).isEqualTo(T0 + Duration.ofMinutes(10).toNanos());
        assertThat(verdicts.blockedUntilNanos(member.hi(), member.lo() + 1, T0 + Duration.ofMinutes(11).toNanos())).isZero();
        final HostKey other = HostKey.parse("2001:db8:1:3::55");
        assertThat(verdicts.blockedUntilNanos(other.hi(), other.lo(), T0 + 1)).isZero();
    }
}
