package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A spambot that upgrades every session with STARTTLS, so its dialogues are unreadable: ~60 port-25
 * attempts a minute, each to a new MX from a stale list, 35% of them failing (20% unanswered, 15% reset).
 * Only its rate, its fan-out and its failed connects are visible.
 */
final class TlsOnlyBot extends SimHost
{
    TlsOnlyBot(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.TLS_ONLY_BOT, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        final Mx mx = Mx.random(random, addressing, false);
        final TcpSession session = open(context, mx.node(), 25, nextMicros);
        final int roll = random.nextInt(100);
        if (roll < 20)
        {
            session.unanswered();
        }
        else if (roll < 35)
        {
            session.refused();
        }
        else
        {
            session.connect();
            Smtp.banner(session, mx.name());
            Smtp.ehlo(session, "mail." + Names.domain(random), mx.name(), true, false);
            Smtp.startTls(session, context, random);
            Smtp.encryptedTransaction(session, context, random, 2_000 + random.nextInt(4_000));
            Tls.closeNotify(session, context, random);
            session.closeByClient();
        }
        // the next attempt does not wait for this one: bots run many connections in parallel
        nextMicros += exponential(SECOND);
    }

    @Override
    String note()
    {
        return "TLS-only spambot: ~60 port-25 attempts/min to new MX hosts, STARTTLS in every session, 35% of"
            + " connects failing";
    }
}
