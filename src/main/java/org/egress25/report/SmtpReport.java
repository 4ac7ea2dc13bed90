package org.egress25.report;

import java.util.LinkedHashMap;
import java.util.Map;
import org.egress25.smtp.SmtpHostSummary;

/**
 * The SMTP part of a flagged host's report entry. Reports leave the operator's hands (tickets, customer
 * mail), so mailbox local-parts are always redacted here ({@link Redaction}), HELO names and free reply
 * text included.
 */
public final class SmtpReport
{
    private SmtpReport()
    {
    }

    public static Map<String, Object> redacted(final SmtpHostSummary s)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("rules", s.rules());
        m.put("sessions", s.sessions());
        m.put("reply_codes", s.replyCodes());
        m.put("helo_samples", s.heloSamples().stream().map(Redaction::text).toList());
        m.put("blocklist_reply", Redaction.text(s.blocklistReply()));
        m.put("recipients", s.recipients());
        m.put("recipients_rejected", s.recipientsRejected());
        m.put("recipient_domains", s.recipientDomains());
        return m;
    }
}
