package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A business MTA with a clean history (as {@link BusyBusinessMta}) for the first {@link #CLEAN_FOR} of its
 * life, then hijacked: a spam burst of ~2 sessions a second to new MX hosts, 40% refused at the client level,
 * 30% refused by blocklists naming it, 20% unknown users. Its label dates the abuse from the burst.
 */
final class HijackedMta extends BusyBusinessMta
{
    static final long CLEAN_FOR = 30 * MINUTE;
    private final long burstMicros;

    HijackedMta(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.HIJACKED_MTA, node, random, addressing, order, first);
        burstMicros = first + CLEAN_FOR;
    }

    @Override
    void step(final Context context)
    {
        if (nextMicros < burstMicros)
        {
            super.step(context);
            return;
        }
        Relay.spam(context, this, helo, 4, 30, 40, 20, nextMicros);
        nextMicros += exponential(SECOND / 2);
    }

    @Override
    String abuseFrom()
    {
        return micros(burstMicros);
    }

    @Override
    String note()
    {
        return "hijacked business MTA " + helo + ": clean for 30 min, then ~2 spam sessions/s, 40% refused 554"
            + " 5.7.1, 30% blocklist replies naming it";
    }
}
