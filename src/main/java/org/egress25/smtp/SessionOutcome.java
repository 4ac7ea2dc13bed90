package org.egress25.smtp;

import org.egress25.policy.SmtpRules;

/**
 * What one finished port-25 session says about its client, as one observation of the sequential test
 * (SPOT): good when a message was accepted with a sane HELO; bad when a blocklist reply came back, the
 * server refused the client early or refused every recipient, the HELO was odd, or nothing was delivered.
 * Encrypted sessions say nothing either way; a connection that never got a reply is left to the rate
 * analyser, which counts it as a failed connect, so it is not counted twice.
 */
public final class SessionOutcome
{
    public static final int NONE = -2;
    public static final int ENCRYPTED = -1;
    public static final int GOOD = 0;
    public static final int BAD_REJECTED = 1;
    public static final int BAD_NO_DATA = 2;
    public static final int BAD_HELO = 3;
    public static final int BAD_BLOCKLIST = 4;

    private SessionOutcome()
    {
    }

    /**
     * Called at session end (rare next to packets), so allocating here is fine.
     *
     * @param clientHi the client address as two longs (the caller has parsed {@code s.client()} already)
     */
    public static int classify(final SessionRecord s, final SmtpRules rules, final long clientHi, final long clientLo)
    {
        if (s.serverPort() != 25 || !s.serverSeen())
        {
            return NONE;
        }
        if (s.tls() != TlsState.NONE)
        {
            return ENCRYPTED;
        }
        int replies = 0;
        for (final int r : s.replies())
        {
            replies += r;
        }
        if (replies == 0)
        {
            return NONE;
        }
        if (s.blocklistReply() != null)
        {
            return BAD_BLOCKLIST;
        }
        if (s.dataAccepted() > 0)
        {
            final boolean oddHelo = s.helo() == null
                || !HeloCheck.problems(s.helo(), clientHi, clientLo, rules.helo().providerDomains()).isEmpty();
            return oddHelo ? BAD_HELO : GOOD;
        }
        if (s.earlyRejection() || (s.recipients() > 0 && s.recipientsRejected() == s.recipients()))
        {
            return BAD_REJECTED;
        }
        return BAD_NO_DATA;
    }
}
