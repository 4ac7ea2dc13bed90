package org.egress25.smtp;

/**
 * What one finished port-25 session says about its client, as one observation of the sequential test
 * (SPOT): good when a message was accepted with a sane HELO; bad when a blocklist reply came back, the
 * server refused the client itself (banner, HELO, MAIL, or a policy refusal at RCPT), every recipient was
 * refused as unknown (weaker: {@link #BAD_UNKNOWN_USERS}), the HELO was odd, or nothing was delivered.
 * A session whose recipients were only deferred (450/451 greylisting) is {@link #DEFERRED}: no evidence
 * either way, since greylisting is what a receiver does to every new sender and an MTA simply retries.
 * Encrypted sessions say nothing either way; a connection that never got a reply is left to the rate
 * analyser, which counts it as a failed connect, so it is not counted twice.
 */
public final class SessionOutcome
{
    public static final int DEFERRED = -3;
    public static final int NONE = -2;
    public static final int ENCRYPTED = -1;
    public static final int GOOD = 0;
    public static final int BAD_REJECTED = 1;
    public static final int BAD_NO_DATA = 2;
    public static final int BAD_HELO = 3;
    public static final int BAD_BLOCKLIST = 4;
    public static final int BAD_UNKNOWN_USERS = 5;

    private SessionOutcome()
    {
    }

    /** Called at session end, on the slot itself before it is reused; allocates only to judge a new HELO. */
    static int classify(final SessionFacts facts)
    {
        final Session s = facts.session;
        if (s.serverPort() != 25 || !s.serverSeen())
        {
            return NONE;
        }
        if (s.tls() != TlsState.NONE)
        {
            return ENCRYPTED;
        }
        if (s.repliesTotal() == 0)
        {
            return NONE;
        }
        if (s.blocklisted())
        {
            return BAD_BLOCKLIST;
        }
        if (s.dataAccepted() > 0)
        {
            final boolean saneHelo = s.hasHelo() && facts.helo().problems.isEmpty();
            return saneHelo ? GOOD : BAD_HELO;
        }
        if (s.earlyRejection())
        {
            return BAD_REJECTED;
        }
        if (s.recipients() > 0 && s.recipientsRejected() == s.recipients())
        {
            // Only mailbox-level refusals are left (earlyRejection covers policy refusals at RCPT).
            return s.recipientsUnknown() > 0 ? BAD_UNKNOWN_USERS : DEFERRED;
        }
        return BAD_NO_DATA;
    }

    /** Receives the outcome of every finished session, on the analysis thread. */
    @FunctionalInterface
    public interface Listener
    {
        /**
         * @param outcome one of this class's constants; {@link #NONE} too, so a listener sees every session
         * @param nowNanos capture time the session ended
         */
        void onOutcome(long clientHi, long clientLo, int outcome, long nowNanos);
    }
}
