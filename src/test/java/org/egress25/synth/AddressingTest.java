package org.egress25.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.junit.jupiter.api.Test;

class AddressingTest
{
    @Test
    void shouldGiveEachKindReadableAddressesInItsOwnRange()
    {
        final Addressing addressing = new Addressing(List.of(Cidr.parse("10.0.0.0/16")));

        assertThat(addressing.inside(HostKind.SLOW_SPAMBOT, false, false).text()).isEqualTo("10.0.128.4");
        assertThat(addressing.inside(HostKind.SLOW_SPAMBOT, false, false).text()).isEqualTo("10.0.128.5");
        assertThat(addressing.inside(HostKind.WEB_USER, false, false).text()).isEqualTo("10.0.16.4");
    }

    @Test
    void shouldNeverHandOutAnAddressTwiceWhenKindsOverflowTheirRange()
    {
        final Addressing addressing = new Addressing(List.of(Cidr.parse("10.0.0.0/16")));
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 6_000; i++)
        {
            assertThat(seen.add(addressing.inside(HostKind.WEB_USER, false, false).text())).isTrue();
            assertThat(seen.add(addressing.inside(HostKind.SUBMISSION_USER, false, false).text())).isTrue();
        }
    }

    @Test
    void shouldPackHostsIntoASmallPrefixAndSayWhenItIsFull()
    {
        final Addressing addressing = new Addressing(List.of(Cidr.parse("192.168.7.0/29")));
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5; i++)
        {
            seen.add(addressing.inside(HostKind.MASS_SENDER, false, false).text());
        }
        assertThat(seen).containsExactlyInAnyOrder(
            "192.168.7.2", "192.168.7.3", "192.168.7.4", "192.168.7.5", "192.168.7.6");
        assertThatThrownBy(() -> addressing.inside(HostKind.MASS_SENDER, false, false))
            .hasMessageContaining("192.168.7.0/29 is too small");
    }

    @Test
    void shouldDrawOutsideAddressesFromNoInsidePrefixAndNoPrivateSpace()
    {
        final List<Cidr> inside = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"),
            Cidr.parse("2001:db8::/32"));
        final List<Cidr> neverOutside = List.of(Cidr.parse("172.16.0.0/12"), Cidr.parse("192.168.0.0/16"),
            Cidr.parse("127.0.0.0/8"), Cidr.parse("224.0.0.0/3"), Cidr.parse("0.0.0.0/8"));
        final Addressing addressing = new Addressing(inside);
        final SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++)
        {
            final Node node = addressing.outside(random, i % 2 == 0);
            final long[] pair = Addresses.toPair(node.address);
            assertThat(inside).noneMatch(cidr -> cidr.contains(pair[0], pair[1]));
            assertThat(neverOutside).noneMatch(cidr -> cidr.contains(pair[0], pair[1]));
        }
    }
}
