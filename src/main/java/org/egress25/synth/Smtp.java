package org.egress25.synth;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * SMTP dialogue steps on a connected {@link TcpSession}: both sides' lines, CRLF-terminated, with the reply
 * codes and enhanced status codes Postfix and Exim actually send (RFC 5321, RFC 3463).
 */
final class Smtp
{
    static final String OK_SENDER = "250 2.1.0 Ok\r\n";
    static final String OK_RECIPIENT = "250 2.1.5 Ok\r\n";
    static final String START_DATA = "354 End data with <CR><LF>.<CR><LF>\r\n";
    private static final DateTimeFormatter RFC_5322 =
        DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Smtp()
    {
    }

    static void banner(final TcpSession session, final String serverName)
    {
        session.server("220 " + serverName + " ESMTP Postfix\r\n", 2_000 + session.rttMicros());
    }

    /** EHLO and the multi-line 250 reply listing the server's extensions. */
    static void ehlo(final TcpSession session, final String helo, final String serverName, final boolean offerTls,
        final boolean offerAuth)
    {
        session.client("EHLO " + helo + "\r\n");
        final StringBuilder reply = new StringBuilder(200);
        reply.append("250-").append(serverName).append("\r\n");
        reply.append("250-PIPELINING\r\n250-SIZE 52428800\r\n");
        if (offerTls)
        {
            reply.append("250-STARTTLS\r\n");
        }
        if (offerAuth)
        {
            reply.append("250-AUTH PLAIN LOGIN\r\n");
        }
        reply.append("250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
        session.server(reply.toString());
    }

    /** STARTTLS, the 220 go-ahead, then a TLS handshake: nothing after this is readable. */
    static void startTls(final TcpSession session, final Context context, final SplittableRandom random)
    {
        session.client("STARTTLS\r\n");
        session.server("220 2.0.0 Ready to start TLS\r\n");
        Tls.handshake(session, context, random);
    }

    /** An encrypted mail transaction after STARTTLS or on port 465: request bursts and short replies. */
    static void encryptedTransaction(final TcpSession session, final Context context, final SplittableRandom random,
        final int messageBytes)
    {
        Tls.clientData(session, context, random, 40 + random.nextInt(40));
        Tls.serverData(session, context, random, 200 + random.nextInt(60));
        Tls.clientData(session, context, random, 60 + random.nextInt(60));
        Tls.serverData(session, context, random, 40 + random.nextInt(30));
        Tls.clientData(session, context, random, messageBytes);
        Tls.serverData(session, context, random, 50 + random.nextInt(30));
        Tls.clientData(session, context, random, 6);
        Tls.serverData(session, context, random, 20);
    }

    static void mailFrom(final TcpSession session, final String sender)
    {
        session.client("MAIL FROM:<" + sender + ">\r\n");
        session.server(OK_SENDER);
    }

    /** One RCPT TO and the given reply line (with CRLF). */
    static void rcpt(final TcpSession session, final String recipient, final String reply)
    {
        session.client("RCPT TO:<" + recipient + ">\r\n");
        session.server(reply);
    }

    /** DATA, 354, the message and its terminating dot line, 250 queued. */
    static void data(final TcpSession session, final SplittableRandom random, final String message)
    {
        session.client("DATA\r\n");
        session.server(START_DATA);
        session.client(message + ".\r\n");
        session.server("250 2.0.0 Ok: queued as " + queueId(random) + "\r\n", 5_000 + random.nextInt(60_000));
    }

    /**
     * A PIPELINING group (RFC 2920): MAIL, every RCPT and DATA in one segment, all the replies in one segment,
     * then the message if the server said 354.
     */
    static void pipelined(final TcpSession session, final SplittableRandom random, final String sender,
        final List<String> recipients, final List<String> replies, final String message)
    {
        final StringBuilder request = new StringBuilder();
        request.append("MAIL FROM:<").append(sender).append(">\r\n");
        for (final String recipient : recipients)
        {
            request.append("RCPT TO:<").append(recipient).append(">\r\n");
        }
        request.append("DATA\r\n");
        session.client(request.toString());
        final StringBuilder reply = new StringBuilder(OK_SENDER);
        boolean anyAccepted = false;
        for (final String line : replies)
        {
            reply.append(line);
            anyAccepted |= line.startsWith("250");
        }
        reply.append(anyAccepted ? START_DATA : "554 5.5.1 Error: no valid recipients\r\n");
        session.server(reply.toString());
        if (anyAccepted)
        {
            session.client(message + ".\r\n");
            session.server("250 2.0.0 Ok: queued as " + queueId(random) + "\r\n", 5_000 + random.nextInt(60_000));
        }
    }

    static void quit(final TcpSession session)
    {
        session.client("QUIT\r\n");
        session.server("221 2.0.0 Bye\r\n");
        session.closeByServer();
    }

    /**
     * AUTH LOGIN: the two base64 continuation prompts ({@code Username:}, {@code Password:}), the client's base64
     * answers, then 235 or 535.
     */
    static boolean authLogin(final TcpSession session, final String user, final String password, final boolean accept)
    {
        session.client("AUTH LOGIN\r\n");
        session.server("334 VXNlcm5hbWU6\r\n");
        session.client(base64(user) + "\r\n");
        session.server("334 UGFzc3dvcmQ6\r\n");
        session.client(base64(password) + "\r\n");
        session.server(accept
            ? "235 2.7.0 Authentication successful\r\n"
            : "535 5.7.8 Error: authentication failed: authentication failure\r\n", 200_000 + session.rttMicros());
        return accept;
    }

    /** A plain-text message: RFC 5322 headers, a blank line, CRLF lines of about 70 characters. */
    static String message(final SplittableRandom random, final String from, final String to, final long micros,
        final int approximateBytes)
    {
        final StringBuilder sb = new StringBuilder(approximateBytes + 400);
        final String domain = from.substring(from.indexOf('@') + 1);
        sb.append("Date: ").append(RFC_5322.format(Instant.ofEpochSecond(micros / 1_000_000L))).append("\r\n");
        sb.append("From: <").append(from).append(">\r\n");
        sb.append("To: <").append(to).append(">\r\n");
        sb.append("Subject: ").append(Names.sentence(random)).append("\r\n");
        sb.append("Message-ID: <").append(Names.randomLetters(random, 16)).append('@').append(domain).append(">\r\n");
        sb.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        while (sb.length() < approximateBytes)
        {
            sb.append(Names.sentence(random)).append("\r\n");
        }
        return sb.toString();
    }

    static String greylisted(final String recipient, final String domain)
    {
        return "450 4.2.0 <" + recipient + ">: Recipient address rejected: Greylisted, see https://postgrey."
            + domain + "/help\r\n";
    }

    static String userUnknown(final String recipient)
    {
        return "550 5.1.1 <" + recipient + ">: Recipient address rejected: User unknown in virtual mailbox table\r\n";
    }

    /** The reject a DNS blocklist hit gets: names the list and the client's own address. */
    static String blocklisted(final SplittableRandom random, final String clientAddress)
    {
        switch (random.nextInt(3))
        {
            case 0:
                return "554 5.7.1 Service unavailable; Client host [" + clientAddress
                    + "] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/" + clientAddress + "\r\n";
            case 1:
                return "550 5.7.1 Service unavailable; Client host [" + clientAddress
                    + "] blocked using b.barracudacentral.org\r\n";
            default:
                return "554 5.7.1 Service unavailable; Client host [" + clientAddress
                    + "] blocked using bl.spamcop.net; Blocked - see https://www.spamcop.net/bl.shtml?"
                    + clientAddress + "\r\n";
        }
    }

    private static String queueId(final SplittableRandom random)
    {
        return Names.randomLetters(random, 11).toUpperCase(Locale.ROOT);
    }

    private static String base64(final String text)
    {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
