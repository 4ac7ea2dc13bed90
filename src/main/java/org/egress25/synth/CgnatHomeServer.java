package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * One CGNAT address (RFC 6598) shared by ~300 subscribers: their mail submitted on 587 (STARTTLS, ~15 a
 * minute in all), their web, and one subscriber's home mail server relaying a few messages an hour on 25,
 * properly. The shared address is clean: nothing it sends on 25 is abusive.
 */
class CgnatHomeServer extends SimHost
{
    private final Mx[] providers = new Mx[4];
    private final String helo;
    private final String domain;

    CgnatHomeServer(final HostKind kind, final Node node, final SplittableRandom random, final Addressing addressing,
        final int order, final long first)
    {
        super(kind, node, random, addressing, order, first);
        for (int i = 0; i < providers.length; i++)
        {
            providers[i] = Mx.random(random, addressing, false);
        }
        domain = Names.domain(random);
        helo = "home." + domain;
    }

    CgnatHomeServer(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        this(HostKind.CGNAT_HOME_SERVER, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        final int roll = random.nextInt(100);
        final long end;
        if (roll < 2)
        {
            end = SmallMta.deliver(context, this, Mx.random(random, addressing, false), helo, domain, nextMicros, 1,
                false, random.nextBoolean());
        }
        else if (roll < 85)
        {
            end = SubmissionUser.submit(context, this, providers[random.nextInt(providers.length)],
                "[192.168." + random.nextInt(256) + "." + (2 + random.nextInt(200)) + "]", nextMicros);
        }
        else
        {
            end = Web.visit(context, random, addressing, node, nextMicros);
        }
        // hundreds of people in parallel: the next activity does not wait for this one
        nextMicros += exponential(2 * SECOND) + (end - nextMicros) / 50;
    }

    @Override
    String note()
    {
        return "CGNAT address of ~300 subscribers: submission on 587 ~15/min, web, and a home MTA " + helo
            + " relaying on 25 about once a minute, all clean";
    }
}
