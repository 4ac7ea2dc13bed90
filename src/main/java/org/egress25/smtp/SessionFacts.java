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

    SessionFacts(final HeloMemo helos, final int maxRecipients)
    {
        this.helos = helos;
        this.domains = new long[maxRecipients];
    }

    /** The session's HELO judgement (memoised per name and host); the session must have a HELO. */
    HeloMemo.Judgement helo()
    {
        return helos.judge(session, rules.helo().providerDomains());
    }
}
