package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A business's busy mail server: relays on 25 every ~8 s to 40 MX hosts with PIPELINING, and receives mail
 * from outside MTAs on its own port 25 (a quarter of its sessions). Its rates trip the volume detectors; its
 * dialogues are clean, so a correct filter alerts and never blocks it, exempted or not.
 */
final class BusinessMta extends SmallMta
{
    private static final long MEAN_GAP = 8 * SECOND;

    BusinessMta(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.BUSINESS_MTA, node, random, addressing, order, first, 40);
    }

    @Override
    void step(final Context context)
    {
        final long end;
        if (random.nextInt(4) == 0)
        {
            end = receive(context);
        }
        else
        {
            final Mx mx = destinations()[random.nextInt(destinations().length)];
            end = deliver(context, this, mx, helo(), domain(), nextMicros, 1 + random.nextInt(5), true,
                random.nextInt(3) == 0);
        }
        nextMicros = Math.max(end, nextMicros) + exponential(MEAN_GAP);
    }

    /** An outside MTA delivering to us: here the inside host is the server. */
    private long receive(final Context context)
    {
        final Node sender = addressing.outside(random, false);
        final String senderDomain = Names.domain(random);
        final TcpSession session = new TcpSession(context, random, sender, sender.nextPort(), node, 25, nextMicros, 300);
        session.connect();
        Smtp.banner(session, helo());
        Smtp.ehlo(session, "mail." + senderDomain, helo(), true, false);
        transaction(session, random, Names.mailbox(random, senderDomain), domain(), 1 + random.nextInt(3), false);
        Smtp.quit(session);
        return session.now();
    }

    @Override
    long meanGapMicros()
    {
        return MEAN_GAP;
    }

    @Override
    String note()
    {
        return "business mail server " + helo() + ": relays on 25 every ~8 s to " + destinations().length
            + " MX hosts with PIPELINING and receives inbound mail; its volume trips rate detectors, its dialogues"
            + " are clean: alert, never block";
    }
}
