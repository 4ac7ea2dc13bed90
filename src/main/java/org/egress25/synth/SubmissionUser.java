package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A mail client sending through its provider on 587: EHLO, STARTTLS, then only TLS; about 4 mails an hour.
 * Everything an analyser can read is the banner, the EHLO exchange and the STARTTLS go-ahead.
 */
final class SubmissionUser extends SimHost
{
    private static final long MEAN_GAP = 15 * MINUTE;
    private final Mx provider;
    private final String helo;

    SubmissionUser(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.SUBMISSION_USER, node, random, addressing, order, first);
        this.provider = Mx.random(random, addressing, false);
        this.helo = random.nextBoolean() ? "[" + node.text() + "]" : Names.word(random) + "-laptop";
    }

    @Override
    void step(final Context context)
    {
        final long end = submit(context, this, provider, helo, nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(MEAN_GAP);
    }

    /** One STARTTLS submission by {@code host} to {@code provider}; shared with the NAT office's users. */
    static long submit(final Context context, final SimHost host, final Mx provider, final String helo,
        final long startMicros)
    {
        final TcpSession session = connect(context, host, provider, 587, startMicros);
        Smtp.banner(session, "smtp." + provider.domain());
        Smtp.ehlo(session, helo, "smtp." + provider.domain(), true, false);
        Smtp.startTls(session, context, host.random);
        return sendEncryptedAndClose(session, context, host.random);
    }

    /** Looks the provider's submission host up and connects to it on {@code port}. */
    static TcpSession connect(final Context context, final SimHost host, final Mx provider, final int port,
        final long startMicros)
    {
        final long t = Dns.lookup(context, host.random, host.node, context.resolver(false), startMicros,
            "smtp." + provider.domain(), Dns.A, provider.node().address);
        final TcpSession session = host.open(context, provider.node(), port, t + 300);
        session.connect();
        return session;
    }

    /** The mail, now inside TLS, then close-notify and FIN; returns the time of the last packet. */
    static long sendEncryptedAndClose(final TcpSession session, final Context context, final SplittableRandom random)
    {
        Smtp.encryptedTransaction(session, context, random, 1_000 + random.nextInt(25_000));
        Tls.closeNotify(session, context, random);
        session.closeByClient();
        return session.now();
    }

    @Override
    String note()
    {
        return "STARTTLS submission on 587 to smtp." + provider.domain() + ", about 4 mails an hour";
    }
}
