package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * An office of ~30 people behind one address: lots of web, and mail submitted on 587 to two or three
 * providers, about one mail every 2 minutes in total. Many connections, all legitimate: a filter that counts
 * connections per address without looking at ports or dialogues gets this one wrong.
 */
final class NatOffice extends SimHost
{
    private static final long MEAN_GAP = 2 * SECOND;
    private final Mx[] providers;
    private final String[] helos;

    NatOffice(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.NAT_OFFICE, node, random, addressing, order, first);
        providers = new Mx[2 + random.nextInt(2)];
        for (int i = 0; i < providers.length; i++)
        {
            providers[i] = Mx.random(random, addressing, false);
        }
        helos = new String[30];
        for (int i = 0; i < helos.length; i++)
        {
            helos[i] = "[192.168.1." + (20 + i) + "]";
        }
    }

    @Override
    void step(final Context context)
    {
        final long end;
        if (random.nextInt(60) == 0)
        {
            end = SubmissionUser.submit(context, this, providers[random.nextInt(providers.length)],
                helos[random.nextInt(helos.length)], nextMicros);
        }
        else
        {
            end = Web.visit(context, random, addressing, node, nextMicros);
        }
        // people work in parallel: the next visit does not wait for this one to finish
        nextMicros += exponential(MEAN_GAP) + (end - nextMicros) / 20;
    }

    @Override
    String note()
    {
        return "NAT office: ~30 users behind one address, web every ~2 s, STARTTLS submission on 587 to "
            + providers.length + " providers about every 2 min";
    }
}
