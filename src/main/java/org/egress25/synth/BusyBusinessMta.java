package org.egress25.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A busy company mail server on a business line: 20 to 200 messages an hour (drawn per host) to 20 to 150
 * distinct domains, one FQDN HELO, half the sessions STARTTLS. Every recipient is accepted except first
 * attempts that a receiver greylists (8%: 450 4.2.0), which it retries 5 to 15 minutes later and gets
 * through, and the odd unknown user (1%). It trips the volume rules (recipients and domains an hour) and
 * must still never be blocked: its dialogues are clean.
 */
class BusyBusinessMta extends SimHost
{
    final String domain;
    final String helo;
    final Mx[] destinations;
    final long meanGapMicros;
    /** Greylisted deliveries waiting for their retry: due time and MX index. */
    private final List<long[]> retries = new ArrayList<>();

    BusyBusinessMta(final HostKind kind, final Node node, final SplittableRandom random, final Addressing addressing,
        final int order, final long first)
    {
        super(kind, node, random, addressing, order, first);
        domain = Names.domain(random);
        helo = "mail." + domain;
        destinations = new Mx[20 + random.nextInt(131)];
        for (int i = 0; i < destinations.length; i++)
        {
            destinations[i] = Mx.random(random, addressing, false);
        }
        final int perHour = 20 + random.nextInt(181);
        meanGapMicros = 3_600 * SECOND / perHour;
    }

    BusyBusinessMta(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        this(HostKind.BUSY_BUSINESS_MTA, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        final long end = cleanDelivery(context, nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(meanGapMicros);
    }

    /** One clean delivery: a due greylisting retry first, else a new message to a random destination. */
    long cleanDelivery(final Context context, final long at)
    {
        final boolean retry = !retries.isEmpty() && retries.get(0)[0] <= at;
        final Mx mx = destinations[retry ? (int)retries.remove(0)[1] : random.nextInt(destinations.length)];
        final int count = 1 + random.nextInt(3);
        final List<String> recipients = new ArrayList<>();
        final List<String> replies = new ArrayList<>();
        final boolean greylist = !retry && random.nextInt(100) < 8;
        for (int i = 0; i < count; i++)
        {
            final String recipient = Names.mailbox(random, mx.domain());
            recipients.add(recipient);
            replies.add(greylist ? Smtp.greylisted(recipient, mx.domain())
                : random.nextInt(100) == 0 ? Smtp.userUnknown(recipient) : Smtp.OK_RECIPIENT);
        }
        if (greylist)
        {
            retries.add(new long[] {at + 5 * MINUTE + random.nextLong(10 * MINUTE), indexOf(mx)});
            retries.sort((a, b) -> Long.compare(a[0], b[0]));
        }
        return Relay.session(context, this, node, mx, helo, Names.mailbox(random, domain), recipients, replies,
            !greylist && random.nextBoolean(), at);
    }

    private int indexOf(final Mx mx)
    {
        for (int i = 0; i < destinations.length; i++)
        {
            if (destinations[i] == mx)
            {
                return i;
            }
        }
        return 0;
    }

    @Override
    String note()
    {
        return "busy business MTA " + helo + ": ~" + (3_600 * SECOND / meanGapMicros) + " messages/h to "
            + destinations.length + " domains, all accepted bar 8% greylisted first attempts (retried) and 1% unknown";
    }
}
