package org.egress25.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small company's own mail server relaying on 25: a session every ~90 s to one of 5 MX hosts, one proper FQDN
 * HELO, MX lookups first, half the sessions upgraded with STARTTLS. Replies are mostly 250; 5% of recipients are
 * greylisted (450) and 4% bounce (550 5.1.1), as real outbound logs show.
 */
class SmallMta extends SimHost
{
    private static final long MEAN_GAP = 90 * SECOND;
    private final String domain;
    private final String helo;
    private final Mx[] destinations;

    SmallMta(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        this(HostKind.SMALL_MTA, node, random, addressing, order, first, 5);
    }

    SmallMta(final HostKind kind, final Node node, final SplittableRandom random, final Addressing addressing,
        final int order, final long first, final int destinationCount)
    {
        super(kind, node, random, addressing, order, first);
        domain = Names.domain(random);
        helo = "mail." + domain;
        destinations = new Mx[destinationCount];
        for (int i = 0; i < destinations.length; i++)
        {
            destinations[i] = Mx.random(random, addressing, false);
        }
    }

    @Override
    void step(final Context context)
    {
        final Mx mx = destinations[random.nextInt(destinations.length)];
        final long end = deliver(context, this, mx, helo, domain, nextMicros, 1 + random.nextInt(2), false,
            random.nextBoolean());
        nextMicros = Math.max(end, nextMicros) + exponential(meanGapMicros());
    }

    long meanGapMicros()
    {
        return MEAN_GAP;
    }

    Mx[] destinations()
    {
        return destinations;
    }

    String domain()
    {
        return domain;
    }

    String helo()
    {
        return helo;
    }

    /**
     * One relay session from {@code host} to {@code mx}: MX lookup, EHLO, then either STARTTLS and TLS, or the
     * plain transaction (pipelined or step by step) and QUIT. Returns the time of its last packet.
     */
    static long deliver(final Context context, final SimHost host, final Mx mx, final String helo,
        final String senderDomain, final long startMicros, final int recipientCount, final boolean pipelining,
        final boolean startTls)
    {
        final SplittableRandom random = host.random;
        final long t = Dns.lookup(context, random, host.node, context.resolver(false), startMicros, mx.domain(), Dns.MX,
            mx.name().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final TcpSession session = host.open(context, mx.node(), 25, t + 500);
        session.connect();
        Smtp.banner(session, mx.name());
        Smtp.ehlo(session, helo, mx.name(), true, false);
        if (startTls)
        {
            return Relay.encryptedToEnd(session, context, random);
        }
        transaction(session, random, Names.mailbox(random, senderDomain), mx.domain(), recipientCount, pipelining);
        Smtp.quit(session);
        return session.now();
    }

    /** MAIL, the RCPTs (mostly 250, some 450 greylisted, some 550 unknown) and DATA if anyone was accepted. */
    static void transaction(final TcpSession session, final SplittableRandom random, final String sender,
        final String recipientDomain, final int recipientCount, final boolean pipelining)
    {
        final List<String> recipients = new ArrayList<>();
        final List<String> replies = new ArrayList<>();
        boolean accepted = false;
        for (int i = 0; i < recipientCount; i++)
        {
            final String recipient = Names.mailbox(random, recipientDomain);
            final int roll = random.nextInt(100);
            final String reply = roll < 5
                ? Smtp.greylisted(recipient, recipientDomain)
                : roll < 9 ? Smtp.userUnknown(recipient) : Smtp.OK_RECIPIENT;
            accepted |= reply == Smtp.OK_RECIPIENT;
            recipients.add(recipient);
            replies.add(reply);
        }
        final String message = Smtp.message(random, sender, recipients.get(0), session.now(),
            600 + random.nextInt(6_000));
        if (pipelining)
        {
            Smtp.pipelined(session, random, sender, recipients, replies, message);
            return;
        }
        Smtp.mailFrom(session, sender);
        for (int i = 0; i < recipients.size(); i++)
        {
            Smtp.rcpt(session, recipients.get(i), replies.get(i));
        }
        if (accepted)
        {
            Smtp.data(session, random, message);
        }
    }

    @Override
    String note()
    {
        return "small MTA " + helo + ": relay on 25 every ~90 s to " + destinations.length
            + " MX hosts, mostly 250, some 450 greylisting and 550 bounces";
    }
}
