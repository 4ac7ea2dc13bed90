package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A CGNAT address whose ~300 subscribers are clean (submission, web, as {@link CgnatHomeServer}) but one of
 * whom runs a spambot: ~10 spam sessions a minute on 25 to new MX hosts, half refused at the client level,
 * a fifth with unknown recipients, and now and then (10%) a blocklist reply naming the shared address.
 */
final class CgnatBot extends CgnatHomeServer
{
    private long nextSpamMicros;

    CgnatBot(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.CGNAT_BOT, node, random, addressing, order, first);
        nextSpamMicros = first;
    }

    @Override
    void step(final Context context)
    {
        if (nextSpamMicros <= nextMicros)
        {
            Relay.spam(context, this, Names.junkHelo(random, node.text()), 3, 10, 50, 20, nextMicros);
            nextSpamMicros = nextMicros + exponential(6 * SECOND);
        }
        super.step(context);
    }

    @Override
    String note()
    {
        return "CGNAT address of ~300 clean subscribers, one of them a spambot: ~10 spam sessions/min on 25,"
            + " half refused 554 5.7.1, 10% blocklist replies naming the address";
    }
}
