package org.egress25.synth;

/**
 * What the generator made one inside host do, and what a correct filter should conclude about it.
 *
 * @param host            the host's address as the decisions log writes it (RFC 5952 for IPv6)
 * @param kind            {@link HostKind#label()}
 * @param expectedVerdict {@code "block"} or {@code "clean"}
 * @param note            what the host does, with its rates, for a person reading a failed test
 */
public record Label(String host, String kind, String expectedVerdict, String note)
{
}
