package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A home user's mail program set up with port 25 instead of 587, talking to the ISP's own smarthost
 * (192.0.2.25, an exempt destination in the shipped rules): EHLO with the PC's name, AUTH, a mail every ~15
 * minutes. Odd, and harmless: the smarthost authenticates and relays it.
 */
final class MisconfiguredClient extends SimHost
{
    /** The ISP smarthost of the shipped exemptions.yaml (RFC 5737 documentation address). */
    static final byte[] SMARTHOST = {(byte)192, 0, 2, 25};

    private final Node smarthost = Node.outside(SMARTHOST, 2525);
    private final String pc;
    private final String user;

    MisconfiguredClient(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.MISCONFIGURED_CLIENT, node, random, addressing, order, first);
        pc = "DESKTOP-" + Names.randomLetters(random, 7).toUpperCase(java.util.Locale.ROOT);
        user = Names.mailbox(random, "example.net");
    }

    @Override
    void step(final Context context)
    {
        final TcpSession session = open(context, smarthost, 25, nextMicros);
        session.connect();
        Smtp.banner(session, "smtp.example.net");
        Smtp.ehlo(session, pc, "smtp.example.net", false, true);
        Smtp.authLogin(session, user, "hunter2", true);
        SmallMta.transaction(session, random, user, Names.domain(random), 1, false);
        Smtp.quit(session);
        nextMicros = Math.max(session.now(), nextMicros) + exponential(15 * MINUTE);
    }

    @Override
    String note()
    {
        return "mail client set to port 25 instead of 587: EHLO " + pc + ", AUTH, to the ISP smarthost 192.0.2.25"
            + " every ~15 min";
    }
}
