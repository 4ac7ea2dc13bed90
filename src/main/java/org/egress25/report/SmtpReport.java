package org.egress25.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.egress25.smtp.SessionLogWriter;
import org.egress25.smtp.SmtpHostSummary;

/**
 * The SMTP part of a flagged host's report entry. Reports leave the operator's hands (tickets, customer
 * mail), so mailbox local-parts are always redacted here, including inside free reply text.
 */
public final class SmtpReport
{
    private static final Pattern MAILBOX = Pattern.compile("[A-Za-z0-9._%+\\-=]+@[A-Za-z0-9.\\-]+\\.[A-Za-z]{2,}");

    private SmtpReport()
    {
    }

    public static Map<String, Object> redacted(final SmtpHostSummary s)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("rules", s.rules());
        m.put("sessions", s.sessions());
        m.put("reply_codes", s.replyCodes());
        m.put("helo_samples", s.heloSamples());
        m.put("blocklist_reply", s.blocklistReply() == null ? null : redactText(s.blocklistReply()));
        m.put("recipients", s.recipients());
        m.put("recipients_rejected", s.recipientsRejected());
        m.put("recipient_domains", s.recipientDomains());
        return m;
    }

    /** Every mailbox in free text with its local-part redacted the way the session log's --redact does it. */
    public static String redactText(final String text)
    {
        return MAILBOX.matcher(text).replaceAll(r -> java.util.regex.Matcher.quoteReplacement(
            SessionLogWriter.redactMailbox(r.group())));
    }
}
