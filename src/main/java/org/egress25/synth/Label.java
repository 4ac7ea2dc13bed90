package org.egress25.synth;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the generator made one inside host do, and what a correct filter should conclude about it.
 *
 * @param host            the host's address as the decisions log writes it (RFC 5952 for IPv6), or a prefix
 *                        ({@code 2001:db8:100:7::/64}) for a host that rotates its address within it
 * @param kind            {@link HostKind#label()}
 * @param expectedVerdict {@code "block"}, {@code "alert"} (abuse on submission ports, which are only ever
 *                        alerted on) or {@code "clean"}
 * @param note            what the host does, with its rates, for a person reading a failed test
 * @param abuseFrom       capture time (ISO-8601) the host turns abusive, when that is not its first packet (a
 *                        hijacked MTA's burst); time to block is measured from it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Label(String host, String kind, String expectedVerdict, String note, String abuseFrom)
{
    public Label(final String host, final String kind, final String expectedVerdict, final String note)
    {
        this(host, kind, expectedVerdict, note, null);
    }
}
