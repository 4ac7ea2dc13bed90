package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * Password guessing on a submission server: a connection every ~4 s to one server on 587, three AUTH LOGIN
 * attempts each answered 535, then the server's 421 "too many errors". About 45 failed logins a minute.
 */
final class AuthBruteForcer extends SimHost
{
    private static final long MEAN_GAP = 4 * SECOND;
    private static final String[] USERS = {"admin", "info", "test", "user", "sales", "office", "postmaster"};
    private static final String[] PASSWORDS = {"123456", "password", "qwerty", "admin123", "letmein", "welcome1"};
    private final Mx target;

    AuthBruteForcer(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.AUTH_BRUTE_FORCER, node, random, addressing, order, first);
        target = Mx.random(random, addressing, false);
    }

    @Override
    void step(final Context context)
    {
        final String server = "smtp." + target.domain();
        final TcpSession session = open(context, target.node(), 587, nextMicros);
        session.connect();
        Smtp.banner(session, server);
        Smtp.ehlo(session, Names.junkHelo(random, node.text()), server, false, true);
        for (int i = 0; i < 3; i++)
        {
            Smtp.authLogin(session, USERS[random.nextInt(USERS.length)] + "@" + target.domain(),
                PASSWORDS[random.nextInt(PASSWORDS.length)], false);
        }
        session.server("421 4.7.0 " + server + " Error: too many errors\r\n", 1_000);
        session.closeByServer();
        nextMicros = Math.max(session.now(), nextMicros) + exponential(MEAN_GAP);
    }

    @Override
    String note()
    {
        return "AUTH LOGIN brute force on 587 against smtp." + target.domain() + ": ~45 attempts/min, all 535";
    }
}
