package org.egress25.synth;

import java.util.SplittableRandom;

/** A mail client on port 465: TLS from the first byte, so nothing of the dialogue is readable; ~4 mails/hour. */
final class ImplicitTlsUser extends SimHost
{
    private static final long MEAN_GAP = 15 * MINUTE;
    private final Mx provider;

    ImplicitTlsUser(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.IMPLICIT_TLS_USER, node, random, addressing, order, first);
        this.provider = Mx.random(random, addressing, false);
    }

    @Override
    void step(final Context context)
    {
        final long end = submit(context, this, provider, nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(MEAN_GAP);
    }

    /** One implicit-TLS submission by {@code host}; returns the time of its last packet. */
    static long submit(final Context context, final SimHost host, final Mx provider, final long startMicros)
    {
        final TcpSession session = SubmissionUser.connect(context, host, provider, 465, startMicros);
        Tls.handshake(session, context, host.random);
        Tls.serverData(session, context, host.random, 60);
        return SubmissionUser.sendEncryptedAndClose(session, context, host.random);
    }

    @Override
    String note()
    {
        return "implicit TLS submission on 465 to smtp." + provider.domain() + ", about 4 mails an hour";
    }
}
