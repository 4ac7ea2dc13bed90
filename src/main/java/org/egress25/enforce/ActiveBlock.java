package org.egress25.enforce;

import java.time.Instant;
import org.egress25.decision.DecisionJson;
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

    /**
     * One line for {@code egress25 blocks --json}: host, rule, reason, since, expires, strikes, source, in the
     * decision's conventions (ISO-8601 UTC, null expiry for a block without one).
     */
    public String toJson()
    {
        return toNode().toString();
    }

    /** The same fields as {@link #toJson()}, as a tree for the control endpoint's answers. */
    public com.fasterxml.jackson.databind.node.ObjectNode toNode()
    {
        final com.fasterxml.jackson.databind.node.ObjectNode node = DecisionJson.MAPPER.createObjectNode();
        node.put("host", host);
        node.put("rule", rule);
        node.put("reason", reason);
        node.put("since", since.toString());
        node.put("expires", expires == null ? null : expires.toString());
        node.put("strikes", strikes);
        node.put("source", source.label());
        return node;
    }
}
