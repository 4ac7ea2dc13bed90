package org.egress25.smtp;

import java.util.Locale;

/**
 * Client commands the parser knows, plus two pseudo-commands that take a reply without being sent: the
 * greeting (the server speaks first) and the end of a DATA body (the final 250 or 5xx).
 */
public enum Verb
{
    GREETING,
    EHLO,
    HELO,
    MAIL,
    RCPT,
    DATA,
    DATA_END,
    BDAT,
    RSET,
    QUIT,
    NOOP,
    VRFY,
    EXPN,
    HELP,
    STARTTLS,
    AUTH,
    /** A base64 line answering a 334 challenge: not a command. */
    AUTH_DATA,
    UNKNOWN;

    static final Verb[] ALL = values();

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label()
    {
        return label;
    }
}
