package org.egress25.synth;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A bot that stays under every per-window rate limit: one session every ~4 minutes (15 an hour), each to a
 * new MX, a made-up HELO every time, and receivers that refuse it at the client level (60%: 554 5.7.1 policy
 * refusals, no blocklist named), or find its recipients unknown (25%). Only the dialogues give it away.
 */
final class LowAndSlowBot extends SimHost
{
    LowAndSlowBot(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.LOW_AND_SLOW_BOT, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        final Mx mx = Mx.random(random, addressing, false);
        final String recipient = Names.mailbox(random, mx.domain());
        final int roll = random.nextInt(100);
        final String reply = roll < 60 ? Relay.policyRefusal(recipient)
            : roll < 85 ? Smtp.userUnknown(recipient) : Smtp.OK_RECIPIENT;
        final long end = Relay.session(context, this, node, mx, Names.junkHelo(random, node.text()),
            Names.mailbox(random, Names.domain(random)), List.of(recipient), List.of(reply), false, nextMicros);
        nextMicros = Math.max(end, nextMicros) + 3 * MINUTE + exponential(MINUTE);
    }

    @Override
    String note()
    {
        return "low-and-slow bot: a session every ~4 min to a new MX, random HELOs, 60% refused 554 5.7.1, 25%"
            + " unknown users";
    }
}
