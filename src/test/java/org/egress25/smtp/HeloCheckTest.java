package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.egress25.host.Addresses;
import org.junit.jupiter.api.Test;

class HeloCheckTest
{
    private static final long[] HOST = Addresses.parse("203.0.113.9");
    private static final List<String> PROVIDERS = List.of("gmail.com", "outlook.com");

    private static List<String> check(final String helo)
    {
        return HeloCheck.problems(helo, HOST[0], HOST[1], PROVIDERS);
    }

    @Test
    void shouldPassNamesPeopleChoose()
    {
        for (final String helo : List.of("mail.example.org", "smtp-01.example.com", "mx2.strength.example",
            "[203.0.113.9]", "relay.angstrom.example", "c-73-12-34-56.hsd1.example.net"))
        {
            assertThat(check(helo)).as(helo).isEmpty();
        }
    }

    @Test
    void shouldFlagEachKindOfOddity()
    {
        assertThat(check("")).containsExactly(HeloCheck.EMPTY);
        assertThat(check("203.0.113.9")).containsExactly(HeloCheck.BARE_IP);
        assertThat(check("2001:db8::1")).containsExactly(HeloCheck.BARE_IP);
        assertThat(check("[198.51.100.1]")).containsExactly(HeloCheck.LITERAL_MISMATCH);
        assertThat(check("[IPv6:2001:db8::1]")).containsExactly(HeloCheck.LITERAL_MISMATCH);
        assertThat(check("[not-an-address]")).containsExactly(HeloCheck.LITERAL_MALFORMED);
        assertThat(check("localhost.localdomain")).containsExactly(HeloCheck.LOCALHOST);
        assertThat(check("DESKTOP")).containsExactly(HeloCheck.SINGLE_LABEL);
        assertThat(check("mx.GMAIL.com")).containsExactly(HeloCheck.PROVIDER);
        assertThat(check("xkqzvbtrw.example")).containsExactly(HeloCheck.RANDOM);
        assertThat(check("a8f3k2j9d1.example")).containsExactly(HeloCheck.RANDOM);
    }

    @Test
    void shouldReadDottedQuadsExactly()
    {
        assertThat(HeloCheck.ipv4("203.0.113.9")).isEqualTo(0xcb00_7109L);
        assertThat(HeloCheck.ipv4("0.0.0.0")).isZero();
        assertThat(HeloCheck.ipv4("255.255.255.255")).isEqualTo(0xffff_ffffL);
        for (final String bad : List.of("256.1.1.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4 ", "01234.1.1.1", "", "a.b.c.d"))
        {
            assertThat(HeloCheck.ipv4(bad)).as(bad).isEqualTo(-1);
        }
    }
}
