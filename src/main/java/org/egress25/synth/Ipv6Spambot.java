package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A spambot on IPv6: ~10 attempts a minute to IPv6 MX hosts, half of them spam sessions rejected by
 * blocklists, half failing at connect. Checks that every detector works on the IPv6 path too.
 */
final class Ipv6Spambot extends SlowSpambot
{
    private static final long MEAN_GAP = 6 * SECOND;

    Ipv6Spambot(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.IPV6_SPAMBOT, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        long end = nextMicros;
        if (random.nextBoolean())
        {
            end = spamSession(context, this, Mx.random(random, addressing, true), nextMicros);
        }
        else
        {
            MassSender.attempt(context, this, addressing.outside(random, true), nextMicros);
        }
        nextMicros = Math.max(end, nextMicros) + exponential(MEAN_GAP);
    }

    @Override
    String note()
    {
        return "IPv6 spambot: ~10 port-25 attempts/min to IPv6 MX hosts, blocklist rejections and failed connects";
    }
}
