package org.egress25.smtp;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the flagged-host report shows about one inside host's SMTP dialogues. Holds no mailbox local
 * parts at all: recipients are counted and only their domains are kept (as a count), so the report needs
 * no redaction step for this part.
 *
 * @param host             inside address, RFC 5952 text
 * @param rules            pattern rules that fired for this host, first first
 * @param sessions         SMTP sessions seen from the host while it was tracked
 * @param replyCodes       final reply codes the host received, code to count, ascending
 * @param heloSamples      up to 5 distinct HELO names it used, first seen first
 * @param blocklistReply   the last remote reply naming a blocklist, or null
 * @param recipients       RCPT commands sent
 * @param recipientsRejected RCPT commands refused (4xx/5xx)
 * @param recipientDomains distinct recipient domains (counted up to a cap of 4096)
 */
public record SmtpHostSummary(
    String host,
    List<String> rules,
    long sessions,
    Map<Integer, Long> replyCodes,
    List<String> heloSamples,
    String blocklistReply,
    long recipients,
    long recipientsRejected,
    int recipientDomains)
{
    public SmtpHostSummary
    {
        rules = List.copyOf(rules);
        replyCodes = Collections.unmodifiableMap(new TreeMap<>(replyCodes));
        heloSamples = List.copyOf(heloSamples);
    }
}
