package org.egress25.smtp;

/**
 * Whom a refusal at RCPT is about. RFC 5321 (section 4.2.2) and the enhanced status codes of RFC 3463 tell
 * them apart: 5.1.x is about the address (5.1.1 no such mailbox), 5.2.x about the mailbox (full, disabled),
 * 4xx at RCPT is a deferral (greylisting: Postgrey's "450 4.2.0 Greylisted", Exim's "451 4.7.1"), while 554
 * and 5.7.x are policy: the client itself is refused ("554 5.7.1 Relay access denied", "550 5.7.1 Client host
 * rejected"). A clean MTA gets mailbox-level refusals as a matter of course (stale addresses, greylisting);
 * only a client-level refusal says something about the sender.
 */
final class ReplyCodes
{
    private ReplyCodes()
    {
    }

    /**
     * True when a refusal at RCPT is about the recipient, not the client: any 4xx, and 550/551/552/553 unless
     * their enhanced status code is of class 5.7 (security or policy). Without an enhanced code, 550 to 553
     * count as mailbox-level: when in doubt, the refusal is not held against the client. No allocation.
     *
     * @param line the reply line, starting with its three digits
     */
    static boolean mailboxLevel(final int code, final byte[] line, final int length)
    {
        if (code >= 400 && code < 500)
        {
            return true;
        }
        if (code < 550 || code > 553)
        {
            return false;
        }
        // "550 5.7.1 ..." or "550-5.7.1 ...": the enhanced code follows the separator.
        return !(length >= 9 && line[4] == '5' && line[5] == '.' && line[6] == '7' && line[7] == '.');
    }
}
