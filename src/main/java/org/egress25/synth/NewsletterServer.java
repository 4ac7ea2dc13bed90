package org.egress25.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A mailing-list server on a business line: a campaign of ~3,000 recipients an hour, up to 50 recipients per
 * session (Postfix's default smtp_destination_recipient_limit), a few big receivers taking most recipients
 * and a long tail of small domains. Accepted except 1% unknown users and 3% greylisted. Far over every
 * volume rule; clean dialogues.
 */
final class NewsletterServer extends SimHost
{
    private final String helo;
    private final String list;
    private final Mx[] big = new Mx[6];

    NewsletterServer(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.NEWSLETTER_SERVER, node, random, addressing, order, first);
        final String domain = Names.domain(random);
        helo = "lists." + domain;
        list = "news@" + domain;
        for (int i = 0; i < big.length; i++)
        {
            big[i] = Mx.random(random, addressing, false);
        }
    }

    @Override
    void step(final Context context)
    {
        final boolean toBig = random.nextInt(10) < 3;
        final Mx mx = toBig ? big[random.nextInt(big.length)] : Mx.random(random, addressing, false);
        final int count = toBig ? 20 + random.nextInt(31) : 1 + random.nextInt(3);
        final List<String> recipients = new ArrayList<>();
        final List<String> replies = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final String recipient = Names.mailbox(random, mx.domain());
            recipients.add(recipient);
            final int roll = random.nextInt(100);
            replies.add(roll == 0 ? Smtp.userUnknown(recipient)
                : roll < 4 ? Smtp.greylisted(recipient, mx.domain()) : Smtp.OK_RECIPIENT);
        }
        final long end = Relay.session(context, this, node, mx, helo, list, recipients, replies, false, nextMicros);
        // ~3,000 recipients an hour at ~10.5 a session: a session every ~12.6 s
        nextMicros = Math.max(end, nextMicros) + exponential(12_600_000L);
    }

    @Override
    String note()
    {
        return "newsletter server " + helo + ": ~3,000 recipients/h, up to 50 per session, 1% unknown, 3% greylisted";
    }
}
