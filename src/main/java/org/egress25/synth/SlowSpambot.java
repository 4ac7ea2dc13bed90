package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A careful spambot: 3 sessions a minute, each to a different MX, a made-up HELO every time, and replies that
 * give it away: 75% of RCPTs rejected by a DNS blocklist that names the host's own address, 15% unknown users.
 * Too slow for a rate detector; the dialogue analyser has to catch it.
 */
class SlowSpambot extends SimHost
{
    private static final long MEAN_GAP = 20 * SECOND;

    SlowSpambot(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        this(HostKind.SLOW_SPAMBOT, node, random, addressing, order, first);
    }

    SlowSpambot(final HostKind kind, final Node node, final SplittableRandom random, final Addressing addressing,
        final int order, final long first)
    {
        super(kind, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        final long end = spamSession(context, this, Mx.random(random, addressing, node.isIpv6()), nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(MEAN_GAP);
    }

    /** A whole spam session: junk HELO, 1-4 recipients mostly rejected, DATA if one got through. */
    static long spamSession(final Context context, final SimHost host, final Mx mx, final long startMicros)
    {
        final SplittableRandom random = host.random;
        final String self = host.node.text();
        final TcpSession session = host.open(context, mx.node(), 25, startMicros);
        session.connect();
        Smtp.banner(session, mx.name());
        Smtp.ehlo(session, Names.junkHelo(random, self), mx.name(), true, false);
        final String sender = Names.mailbox(random, Names.domain(random));
        Smtp.mailFrom(session, sender);
        final int recipients = 1 + random.nextInt(4);
        String accepted = null;
        for (int i = 0; i < recipients; i++)
        {
            final String recipient = Names.mailbox(random, mx.domain());
            final int roll = random.nextInt(100);
            final String reply = roll < 75
                ? Smtp.blocklisted(random, self)
                : roll < 90 ? Smtp.userUnknown(recipient) : Smtp.OK_RECIPIENT;
            Smtp.rcpt(session, recipient, reply);
            if (reply == Smtp.OK_RECIPIENT)
            {
                accepted = recipient;
            }
        }
        if (accepted != null)
        {
            Smtp.data(session, random, Smtp.message(random, sender, accepted, session.now(), 1_500));
        }
        Smtp.quit(session);
        return session.now();
    }

    @Override
    String note()
    {
        return "slow spambot: ~3 sessions/min to different MX, random HELO names, most RCPT rejected 550/554 "
            + "by DNS blocklists naming this host";
    }
}
