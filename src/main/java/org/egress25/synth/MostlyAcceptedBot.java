package org.egress25.synth;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A spambot whose mail mostly gets through: ~6 sessions a minute to new MX hosts, 85% accepted, but the few
 * receivers that check blocklists (15% of sessions) refuse it with replies naming its address, half of them
 * in Outlook's own words ("on our block list (S3150)") rather than Postfix's.
 */
final class MostlyAcceptedBot extends SimHost
{
    MostlyAcceptedBot(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.MOSTLY_ACCEPTED_BOT, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        final Mx mx = Mx.random(random, addressing, false);
        final String recipient = Names.mailbox(random, mx.domain());
        final int roll = random.nextInt(100);
        final String reply = roll < 8 ? Relay.outlookBlockList(node.text())
            : roll < 15 ? Smtp.blocklisted(random, node.text()) : Smtp.OK_RECIPIENT;
        final long end = Relay.session(context, this, node, mx, "mail." + Names.domain(random),
            Names.mailbox(random, Names.domain(random)), List.of(recipient), List.of(reply), false, nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(10 * SECOND);
    }

    @Override
    String note()
    {
        return "spambot whose sessions mostly succeed: ~6/min, 15% refused with blocklist replies naming it (half"
            + " in Outlook's wording, S3150)";
    }
}
