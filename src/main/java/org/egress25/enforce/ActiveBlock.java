package org.egress25.enforce;

import java.time.Instant;
import org.egress25.decision.Source;

/**
 * A block egress25 stands behind, as {@code egress25 blocks} lists it.
 *
 * @param host    canonical address text
 * @param rule    rule that blocked it, or {@code manual}
 * @param reason  the decision's sentence
 * @param since   when the block was decided
 * @param expires when it lifts; null for a block without expiry
 * @param strikes the host's strike number for this block (1 for a first offence)
 * @param source  detector, manual or reconcile
 */
public record ActiveBlock(String host, String rule, String reason, Instant since, Instant expires, int strikes, Source source)
{
    public boolean isActiveAt(final Instant now)
    {
        return expires == null || expires.isAfter(now);
    }

    public boolean isIpv6()
    {
        return host.indexOf(':') >= 0;
    }
}
