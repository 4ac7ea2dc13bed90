package org.egress25.analysis;

/**
 * One host's sequential test as of a moment, for operator commands, reports and tests. Counts are those of the
 * current test (they restart with it); when {@code decided} is true they are the observations that decided it
 * and stay frozen until the block (or the alert's quiet hour) is over.
 *
 * @param tracked       false when the host has no test running (never seen, idle, or evicted): all counts 0
 * @param llr           log-likelihood ratio ln(P(observations | spambot) / P(observations | clean))
 * @param upper         the spambot bound ln((1 - beta) / alpha)
 * @param lower         the clean bound ln(beta / (1 - alpha))
 * @param good          observations with a mail transaction accepted
 * @param connectFailed observations that never got a SYN-ACK or were reset
 * @param rejected      observations the server refused with 4xx/5xx at banner, HELO, MAIL or RCPT
 * @param noData        observations that ended without DATA accepted
 * @param helo          observations with an anomalous HELO
 * @param blocklist     observations answered with a DNS blocklist reply
 * @param encrypted     encrypted sessions (STARTTLS, 465) seen while the test ran: counted, never judged
 * @param decided       the test crossed the spambot bound and a decision was made
 */
public record SprtSnapshot(
    boolean tracked,
    double llr,
    double upper,
    double lower,
    int good,
    int connectFailed,
    int rejected,
    int noData,
    int helo,
    int blocklist,
    int encrypted,
    boolean decided,
    int unknownUsers,
    double corroborationBound)
{
    /** Whether the test backs a volume finding now (the log-likelihood ratio reached the corroboration bound). */
    public boolean corroborates()
    {
        return tracked && llr >= corroborationBound;
    }

    /** Bad observations of every kind. */
    public int bad()
    {
        return connectFailed + rejected + noData + helo + blocklist + unknownUsers;
    }

    /** Good and bad observations in the current test (encrypted sessions are not observations). */
    public int observations()
    {
        return good + bad();
    }
}
