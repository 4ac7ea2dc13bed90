package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A compromised host blasting port 25: about 400 connection attempts a minute, each to a different address.
 * 45% get no answer (SYN retransmitted after 1 s and 3 s), 30% a RST, 15% a session rejected at RCPT by a
 * blocklist, 10% a 554 banner. The signature rate detectors exist for.
 */
final class MassSender extends SimHost
{
    private static final long MEAN_GAP = 150_000;

    MassSender(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.MASS_SENDER, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        attempt(context, this, addressing.outside(random, node.isIpv6()), nextMicros);
        nextMicros += exponential(MEAN_GAP);
    }

    /** One spam attempt to one target; shared with the IPv6 spambot. */
    static void attempt(final Context context, final SimHost host, final Node target, final long micros)
    {
        final SplittableRandom random = host.random;
        final TcpSession session = host.open(context, target, 25, micros);
        final int roll = random.nextInt(100);
        if (roll < 45)
        {
            session.unanswered();
            return;
        }
        if (roll < 75)
        {
            session.refused();
            return;
        }
        session.connect();
        final String mxName = Names.mxHost(random, Names.domain(random));
        if (roll < 85)
        {
            session.server("554 5.7.1 " + mxName + " ESMTP not accepting mail from [" + host.node.text() + "]\r\n",
                3_000);
            if (random.nextBoolean())
            {
                session.resetByClient();
                return;
            }
            session.client("QUIT\r\n");
            session.server("221 2.0.0 Bye\r\n");
            session.closeByServer();
            return;
        }
        Smtp.banner(session, mxName);
        Smtp.ehlo(session, Names.junkHelo(random, host.node.text()), mxName, true, false);
        Smtp.mailFrom(session, Names.mailbox(random, Names.domain(random)));
        Smtp.rcpt(session, Names.mailbox(random, mxName.substring(mxName.indexOf('.') + 1)),
            Smtp.blocklisted(random, host.node.text()));
        Smtp.quit(session);
    }

    @Override
    String note()
    {
        return "mass sender: ~400 SYNs/min to distinct port-25 hosts; 45% unanswered, 30% RST, rest rejected";
    }
}
