package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A directory harvest attack: one session to one MX that tries 200 guessed mailboxes, 90% answered
 * 550 5.1.1 user unknown, and never sends DATA. One connection, so only a dialogue analyser sees it.
 */
final class DirectoryHarvester extends SimHost
{
    private static final String[] GUESSES = {
        "admin", "info", "sales", "office", "support", "contact", "jobs", "hr", "billing", "webmaster", "john",
        "mary", "peter", "anna", "michael", "laura", "david", "sarah", "test", "marketing"
    };
    private int recipients;

    DirectoryHarvester(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.DIRECTORY_HARVESTER, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        final Mx mx = Mx.random(random, addressing, false);
        final TcpSession session = open(context, mx.node(), 25, nextMicros);
        session.connect();
        Smtp.banner(session, mx.name());
        Smtp.ehlo(session, Names.junkHelo(random, node.text()), mx.name(), true, false);
        Smtp.mailFrom(session, Names.mailbox(random, Names.domain(random)));
        recipients = 200;
        for (int i = 0; i < recipients; i++)
        {
            final String guess = GUESSES[random.nextInt(GUESSES.length)]
                + (random.nextBoolean() ? "" : String.valueOf(random.nextInt(100))) + "@" + mx.domain();
            Smtp.rcpt(session, guess, random.nextInt(10) == 0 ? Smtp.OK_RECIPIENT : Smtp.userUnknown(guess));
        }
        Smtp.quit(session);
        nextMicros = DONE;
    }

    @Override
    String note()
    {
        return "directory harvester: one session, 200 RCPT TO guesses, ~90% 550 5.1.1 user unknown, no DATA";
    }
}
