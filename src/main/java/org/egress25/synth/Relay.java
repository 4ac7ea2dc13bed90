package org.egress25.synth;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One port-25 relay session whose receiver answers each recipient as told: the building block of the hosts
 * whose replies are the point (greylisting and retries, newsletters, policy refusals, blocklist replies).
 */
final class Relay
{
    private Relay()
    {
    }

    /**
     * Connects from {@code from} to the MX, EHLO, then either STARTTLS and an encrypted transaction, or MAIL,
     * the RCPTs with {@code replies}, DATA when one was accepted, and QUIT. Returns the time of the last packet.
     */
    static long session(final Context context, final SimHost host, final Node from, final SimHost.Mx mx, final String helo,
        final String sender, final List<String> recipients, final List<String> replies, final boolean startTls,
        final long startMicros)
    {
        final SplittableRandom random = host.random;
        final TcpSession session = new TcpSession(context, random, from, from.nextPort(), mx.node(), 25, startMicros,
            host.rtt());
        session.connect();
        Smtp.banner(session, mx.name());
        Smtp.ehlo(session, helo, mx.name(), true, false);
        if (startTls)
        {
            return encryptedToEnd(session, context, random);
        }
        Smtp.mailFrom(session, sender);
        String accepted = null;
        for (int i = 0; i < recipients.size(); i++)
        {
            Smtp.rcpt(session, recipients.get(i), replies.get(i));
            if (replies.get(i).startsWith("250") && accepted == null)
            {
                accepted = recipients.get(i);
            }
        }
        if (accepted != null)
        {
            Smtp.data(session, random, Smtp.message(random, sender, accepted, session.now(), 800 + random.nextInt(8_000)));
        }
        Smtp.quit(session);
        return session.now();
    }

    /** STARTTLS, an encrypted transaction of 1.5 to 31.5 KB, close-notify and FIN; returns the last packet's time. */
    static long encryptedToEnd(final TcpSession session, final Context context, final SplittableRandom random)
    {
        Smtp.startTls(session, context, random);
        Smtp.encryptedTransaction(session, context, random, 1_500 + random.nextInt(30_000));
        Tls.closeNotify(session, context, random);
        session.closeByClient();
        return session.now();
    }

    /**
     * A spam session from {@code host} to a new MX with a junk or given HELO: 1 to {@code maxRecipients}
     * recipients, each refused by a blocklist naming the host ({@code blocklist}%), by policy ({@code policy}%),
     * as unknown ({@code unknown}%), or accepted (the rest).
     */
    static long spam(final Context context, final SimHost host, final String helo, final int maxRecipients,
        final int blocklist, final int policy, final int unknown, final long startMicros)
    {
        final SplittableRandom random = host.random;
        final SimHost.Mx mx = SimHost.Mx.random(random, host.addressing, false);
        final List<String> recipients = new java.util.ArrayList<>();
        final List<String> replies = new java.util.ArrayList<>();
        final int count = 1 + random.nextInt(maxRecipients);
        for (int i = 0; i < count; i++)
        {
            final String recipient = Names.mailbox(random, mx.domain());
            final int roll = random.nextInt(100);
            recipients.add(recipient);
            replies.add(roll < blocklist ? Smtp.blocklisted(random, host.node.text())
                : roll < blocklist + policy ? policyRefusal(recipient)
                : roll < blocklist + policy + unknown ? Smtp.userUnknown(recipient) : Smtp.OK_RECIPIENT);
        }
        return session(context, host, host.node, mx, helo, Names.mailbox(random, Names.domain(random)), recipients,
            replies, false, startMicros);
    }

    /** A policy refusal of the client itself at RCPT, as Postfix words it, without naming a blocklist. */
    static String policyRefusal(final String recipient)
    {
        return "554 5.7.1 <" + recipient + ">: Relay access denied; client rejected by local policy\r\n";
    }

    /** Outlook's blocklist refusal, which names the address and the list in its own words. */
    static String outlookBlockList(final String clientAddress)
    {
        return "550 5.7.1 Unfortunately, messages from [" + clientAddress + "] weren't sent. Please contact your"
            + " Internet service provider since part of their network is on our block list (S3150).\r\n";
    }
}
