package org.egress25.synth;

import java.util.SplittableRandom;

/** A person browsing: DNS and web (HTTPS, HTTP, QUIC) every ~20 s, never a byte of SMTP. */
final class WebUser extends SimHost
{
    private static final long MEAN_GAP = 20 * SECOND;

    WebUser(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.WEB_USER, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        final long end = random.nextInt(5) == 0
            ? Web.lookup(context, random, addressing, node, nextMicros)
            : Web.visit(context, random, addressing, node, nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(MEAN_GAP);
    }

    @Override
    String note()
    {
        return "browsing: DNS, HTTPS, HTTP and QUIC about every 20 s; no SMTP";
    }
}
