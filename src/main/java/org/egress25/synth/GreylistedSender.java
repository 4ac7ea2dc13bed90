package org.egress25.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A legitimate MTA whose receivers greylist heavily: 60% of first attempts get 450 4.2.0 and are retried 5 to
 * 30 minutes later (Postfix minimal_backoff_time 300 s), when they are accepted. Up to half its sessions end
 * with no message delivered, all of them deferrals: no evidence against it.
 */
final class GreylistedSender extends SimHost
{
    private final String domain;
    private final Mx[] destinations = new Mx[30];
    private final List<long[]> retries = new ArrayList<>();

    GreylistedSender(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.GREYLISTED_SENDER, node, random, addressing, order, first);
        domain = Names.domain(random);
        for (int i = 0; i < destinations.length; i++)
        {
            destinations[i] = Mx.random(random, addressing, false);
        }
    }

    @Override
    void step(final Context context)
    {
        final boolean retry = !retries.isEmpty() && retries.get(0)[0] <= nextMicros;
        final int index = retry ? (int)retries.remove(0)[1] : random.nextInt(destinations.length);
        final Mx mx = destinations[index];
        final boolean defer = !retry && random.nextInt(10) < 6;
        final String recipient = Names.mailbox(random, mx.domain());
        if (defer)
        {
            retries.add(new long[] {nextMicros + 5 * MINUTE + random.nextLong(25 * MINUTE), index});
            retries.sort((a, b) -> Long.compare(a[0], b[0]));
        }
        final long end = Relay.session(context, this, node, mx, "mail." + domain, Names.mailbox(random, domain),
            List.of(recipient), List.of(defer ? Smtp.greylisted(recipient, mx.domain()) : Smtp.OK_RECIPIENT), false,
            nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(45 * SECOND);
    }

    @Override
    String note()
    {
        return "heavily greylisted MTA mail." + domain + ": a session every ~45 s, 60% of first attempts 450"
            + " greylisted and retried 5-30 min later";
    }
}
