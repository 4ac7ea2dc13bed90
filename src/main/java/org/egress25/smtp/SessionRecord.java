package org.egress25.smtp;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One SMTP connection as the session log shows it, built once when the connection ends (allocation here
 * is per session, not per packet). Addresses are as sent, without angle brackets; redaction is the
 * writer's job so the pattern analysers can still count distinct recipient domains.
 *
 * @param start          capture time of the first segment
 * @param end            capture time of the last segment
 * @param client         inside client address, RFC 5952 text
 * @param server         outside server address
 * @param helo           last EHLO/HELO argument as sent, or null when none was seen
 * @param tls            whether the dialogue was readable
 * @param authAttempts   AUTH commands
 * @param authFailures   AUTH exchanges that ended in 4xx/5xx
 * @param transactions   itemised mail transactions, at most {@link SmtpLimits#maxTransactions()}
 * @param replies        final reply lines by class: index 0 is 2xx, 1 is 3xx, 2 is 4xx, 3 is 5xx
 * @param anomalies      count by {@link Anomaly#label()}, non-zero kinds only, in enum order
 * @param clientSeen     any segment from the client was seen (false in a server-only capture)
 * @param serverSeen     any segment from the server was seen
 * @param clientBytes    payload bytes from the client, TLS included
 * @param serverBytes    payload bytes from the server, TLS included
 * @param endReason      quit, fin, rst, idle, reused or end-of-input
 * @param recipients     RCPT commands in the session, itemised or not
 * @param recipientsRejected RCPT commands answered 4xx/5xx
 * @param recipientsUnknown  RCPT answered 550, 551 or 553 (mailbox unknown or not allowed): harvest evidence
 * @param dataAccepted   messages accepted (DATA body or BDAT LAST answered 2xx)
 * @param dataAttempts   DATA and BDAT commands
 * @param mailCommands   MAIL commands
 * @param earlyRejection the greeting, EHLO/HELO, MAIL or a RCPT got 421, 450, 451, 550, 553 or 554
 * @param replyCodes     final reply codes seen, in order (at most 64), for the per-host histogram
 * @param blocklistReply the first 4xx/5xx reply line naming one of the policy's blocklist zones, or null
 */
public record SessionRecord(
    Instant start,
    Instant end,
    String client,
    int clientPort,
    String server,
    int serverPort,
    String helo,
    TlsState tls,
    int authAttempts,
    int authFailures,
    List<Transaction> transactions,
    int[] replies,
    Map<String, Integer> anomalies,
    boolean clientSeen,
    boolean serverSeen,
    long clientBytes,
    long serverBytes,
    String endReason,
    int recipients,
    int recipientsRejected,
    int recipientsUnknown,
    int dataAccepted,
    int dataAttempts,
    int mailCommands,
    boolean earlyRejection,
    int[] replyCodes,
    String blocklistReply)
{
    /**
     * One mail transaction: MAIL FROM (or a stray RCPT) up to the end of its DATA or BDAT LAST, RSET,
     * a new MAIL, EHLO or QUIT.
     *
     * @param mailFrom     envelope sender without {@code <>} ({@code ""} for the null sender), null when the
     *                     transaction began without MAIL
     * @param rcptTo       every RCPT TO address sent, up to the per-session limit
     * @param rcptCount    RCPT commands in this transaction, itemised or not
     * @param rcptRejected RCPT answered 4xx/5xx
     * @param data         accepted, rejected or none (none also when the body was sent but no reply seen)
     * @param dataBytes    body bytes sent (DATA up to and including the final dot, or BDAT chunk sizes)
     * @param lastReply    last reply line answering a command of this transaction, "code text"; null if none
     */
    public record Transaction(
        String mailFrom,
        List<String> rcptTo,
        int rcptCount,
        int rcptRejected,
        String data,
        long dataBytes,
        String lastReply)
    {
        public Transaction
        {
            rcptTo = List.copyOf(rcptTo);
        }
    }

    public SessionRecord
    {
        transactions = List.copyOf(transactions);
        replies = replies.clone();
        anomalies = Map.copyOf(anomalies);
        replyCodes = replyCodes.clone();
    }

    /** Count of final replies in a class, 2 to 5. */
    public int replies(final int replyClass)
    {
        return replyClass >= 2 && replyClass <= 5 ? replies[replyClass - 2] : 0;
    }

    public int anomaly(final Anomaly kind)
    {
        return anomalies.getOrDefault(kind.label(), 0);
    }

    /** Which directions the capture held: both, client or server. */
    public String directions()
    {
        return clientSeen && serverSeen ? "both" : clientSeen ? "client" : "server";
    }
}
