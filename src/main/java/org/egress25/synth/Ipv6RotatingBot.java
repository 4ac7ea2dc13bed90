package org.egress25.synth;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A spambot on IPv6 that takes a new address within its /64 every one to three sessions (privacy addresses,
 * RFC 8981): ~10 spam sessions a minute, most recipients refused by blocklists naming the address in use.
 * Its label names the /64, since no single address stays long enough to matter; catching it as a prefix is
 * the per-/64 analysis's job, and per address only its first blocklist reply can.
 */
final class Ipv6RotatingBot extends SimHost
{
    private final byte[] prefix = new byte[16];
    private Node current;
    private int sessionsLeft;
    private int rotations;

    Ipv6RotatingBot(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.IPV6_ROTATING_BOT, node, random, addressing, order, first);
        System.arraycopy(node.address, 0, prefix, 0, 8);
        current = node;
        sessionsLeft = 1 + random.nextInt(3);
    }

    @Override
    void step(final Context context)
    {
        if (sessionsLeft-- == 0)
        {
            final byte[] address = prefix.clone();
            final long iid = random.nextLong();
            for (int b = 0; b < 8; b++)
            {
                address[8 + b] = (byte)(iid >>> (56 - 8 * b));
            }
            current = Node.inside(address, 100_000 + order * 1_000 + ++rotations, (int)iid);
            sessionsLeft = random.nextInt(3);
        }
        final Mx mx = Mx.random(random, addressing, true);
        final String recipient = Names.mailbox(random, mx.domain());
        final String reply = random.nextInt(100) < 70 ? Smtp.blocklisted(random, current.text()) : Smtp.OK_RECIPIENT;
        final long end = Relay.session(context, this, current, mx, Names.junkHelo(random, current.text()),
            Names.mailbox(random, Names.domain(random)), List.of(recipient), List.of(reply), false, nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(6 * SECOND);
    }

    @Override
    void labels(final List<Label> out)
    {
        out.add(new Label(prefixText(), kind.label(), kind.expectedVerdict(), note(), abuseFrom()));
    }

    /** The /64 as a CIDR in RFC 5952 form: the first address with its interface identifier zeroed. */
    private String prefixText()
    {
        final byte[] zeroed = prefix.clone();
        return Node.outside(zeroed, 0).text() + "/64";
    }

    @Override
    String note()
    {
        return "IPv6 spambot rotating addresses within its /64 every 1-3 sessions: ~10 sessions/min, 70% of"
            + " recipients refused by blocklists naming the address";
    }
}
