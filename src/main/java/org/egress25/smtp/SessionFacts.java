package org.egress25.smtp;

import org.egress25.policy.PortGroup;
import org.egress25.policy.SmtpRules;

/**
 * What the detectors see of one finished session: one instance, refilled by {@link SmtpPatterns} for every
 * session, so judging allocates nothing.
 */
final class SessionFacts
{
    final HeloMemo helos;
    /** ASCII-folded hashes of the session's distinct recipient domains, {@link #domainCount} of them. */
    final long[] domains;
    int domainCount;
    Session session;
    HostState host;
    SmtpRules rules;
    PortGroup group;
    long now;

    /** This session's HELO judgement once asked for: the outcome, the summary and the HELO detector share it. */
    private HeloMemo.Judgement helo;

    SessionFacts(final HeloMemo helos, final int maxRecipients)
    {
        this.helos = helos;
        this.domains = new long[maxRecipients];
    }

    /** Starts on a finished session; the rest is filled only if the detectors will judge it. */
    void begin(final Session s, final SmtpRules current)
    {
        session = s;
        rules = current;
        helo = null;
    }

    /** Drops the references to the slot and host, which outlive this session. */
    void end()
    {
        session = null;
        host = null;
        helo = null;
    }

    /** The session's HELO judgement (memoised per name and host); the session must have a HELO. */
    HeloMemo.Judgement helo()
    {
        if (helo == null)
        {
            helo = helos.judge(session, rules.helo().providerDomains());
        }
        return helo;
    }
}
