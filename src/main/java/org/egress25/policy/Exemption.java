package org.egress25.policy;

import java.time.Instant;
import org.egress25.host.Cidr;

/**
 * One exemption as the rule file states it, for reports and {@code rules check}. The packet path uses
 * {@link Exemptions}, which holds the same data in flat arrays.
 *
 * @param kind     which end of the connection the block matches
 * @param network  the exempted block
 * @param expires  when it stops applying (capture time), or null for never
 * @param ticket   the operator's reference (e.g. {@code ABUSE-1234}), or null
 * @param comment  free text, or null
 * @param location {@code file:line} where it was declared, so a report can send the reader there
 */
public record Exemption(Kind kind, Cidr network, Instant expires, String ticket, String comment, String location)
{
    public enum Kind
    {
        /** An inside host whose own port-25 traffic is never judged (a customer's mail server). */
        SOURCE,
        /** A server whose connections never count (the ISP's smarthosts: talking to them is not fan-out). */
        DESTINATION
    }

    /** True once {@code now} has reached the expiry; an exemption without expiry never expires. */
    public boolean isExpired(final Instant now)
    {
        return expires != null && !now.isBefore(expires);
    }
}
