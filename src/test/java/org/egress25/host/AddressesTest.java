package org.egress25.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressesTest
{
    @Test
    void shouldFormatIpv6AsRfc5952()
    {
        assertThat(roundTrip("2001:DB8:0:0:0:0:2:1")).isEqualTo("2001:db8::2:1");
        assertThat(roundTrip("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(roundTrip("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
        assertThat(roundTrip("::1")).isEqualTo("::1");
        assertThat(roundTrip("::")).isEqualTo("::");
        assertThat(roundTrip("fe80::")).isEqualTo("fe80::");
    }

    @Test
    void shouldHoldIpv4AsMappedAndPrintDottedQuad()
    {
        final long[] pair = Addresses.parse("192.0.2.7");
        assertThat(Addresses.isIpv4(pair[0], pair[1])).isTrue();
        assertThat(Addresses.format(pair[0], pair[1])).isEqualTo("192.0.2.7");
    }

    @Test
    void shouldParseDottedQuadsExactlyAsTheJdkDoes() throws Exception
    {
        final java.util.Random random = new java.util.Random(25);
        for (int n = 0; n < 10_000; n++)
        {
            final String text = random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "."
                + random.nextInt(256);
            assertThat(Addresses.parse(text)).as(text)
                .containsExactly(Addresses.toPair(java.net.InetAddress.getByName(text).getAddress()));
        }
        assertThatThrownBy(() -> Addresses.parse("256.1.1.1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Addresses.parse("1.2.3.4.5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldMatchCidrsOfBothFamilies()
    {
        final Cidr v4 = Cidr.parse("10.1.0.0/16");
        final long[] in = Addresses.parse("10.1.200.3");
        final long[] out = Addresses.parse("10.2.0.1");
        assertThat(v4.contains(in[0], in[1])).isTrue();
        assertThat(v4.contains(out[0], out[1])).isFalse();
        assertThat(v4.displayBits()).isEqualTo(16);

        final Cidr v6 = Cidr.parse("2001:db8:40::/44");
        final long[] in6 = Addresses.parse("2001:db8:4f::1");
        final long[] out6 = Addresses.parse("2001:db8:50::1");
        assertThat(v6.contains(in6[0], in6[1])).isTrue();
        assertThat(v6.contains(out6[0], out6[1])).isFalse();
        assertThat(v6.contains(in[0], in[1])).isFalse();
    }

    @Test
    void shouldRejectHostBitsAndBadPrefixesWithAHelpfulMessage()
    {
        assertThatThrownBy(() -> Cidr.parse("10.1.2.3/16")).hasMessageContaining("did you mean 10.1.0.0/16");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("outside 0..32");
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).hasMessageContaining("not an IPv4 or IPv6 network");
    }

    private static String roundTrip(final String text)
    {
        final long[] pair = Addresses.parse(text);
        return Addresses.format(pair[0], pair[1]);
    }
}
