package org.egress25.synth;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A backup MX and forwarder on a business line: outside MTAs deliver to it on its own port 25, and it relays
 * each message onwards, to the primary MX of its domain and, for forwarded addresses, to two big mailbox
 * providers, a few seconds later. Inbound sessions are the outside's; outbound ones are clean relays.
 */
final class BackupMx extends SimHost
{
    private final String helo;
    private final Mx primary;
    private final Mx[] forwards = new Mx[2];

    BackupMx(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.BACKUP_MX, node, random, addressing, order, first);
        helo = "mx2." + Names.domain(random);
        primary = Mx.random(random, addressing, false);
        for (int i = 0; i < forwards.length; i++)
        {
            forwards[i] = Mx.random(random, addressing, false);
        }
    }

    @Override
    void step(final Context context)
    {
        final Node sender = addressing.outside(random, false);
        final TcpSession in = new TcpSession(context, random, sender, sender.nextPort(), node, 25, nextMicros, 300);
        in.connect();
        Smtp.banner(in, helo);
        Smtp.ehlo(in, "mail." + Names.domain(random), helo, true, false);
        SmallMta.transaction(in, random, Names.mailbox(random, Names.domain(random)), primary.domain(), 1, false);
        Smtp.quit(in);
        final Mx onwards = random.nextInt(4) == 0 ? forwards[random.nextInt(2)] : primary;
        final String recipient = Names.mailbox(random, onwards.domain());
        final long end = Relay.session(context, this, node, onwards, helo, Names.mailbox(random, Names.domain(random)),
            List.of(recipient), List.of(Smtp.OK_RECIPIENT), random.nextBoolean(), in.now() + 2 * SECOND);
        nextMicros = Math.max(end, nextMicros) + exponential(40 * SECOND);
    }

    @Override
    String note()
    {
        return "backup MX / forwarder " + helo + ": receives on 25 every ~40 s and relays each message on to the"
            + " primary MX or two big providers";
    }
}
