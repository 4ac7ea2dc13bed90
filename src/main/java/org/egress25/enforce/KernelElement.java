package org.egress25.enforce;

import java.time.Duration;
import java.time.Instant;

/**
 * One element of egress25's kernel sets as {@code nft -j list set} reports it.
 *
 * @param host      the address in the canonical text {@link org.egress25.host.Addresses#format} produces
 * @param timeout   the lifetime it was added with, or null for an element without one
 * @param remaining how long until the kernel removes it, or null for an element without a timeout;
 *                  nft reports whole seconds, rounded down
 */
public record KernelElement(String host, Duration timeout, Duration remaining)
{
    /** When the kernel will remove it, or null if never. */
    public Instant expiresAt(final Instant now)
    {
        return remaining == null ? null : now.plus(remaining);
    }

    public boolean isIpv6()
    {
        return host.indexOf(':') >= 0;
    }
}
