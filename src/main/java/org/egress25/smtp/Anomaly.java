package org.egress25.smtp;

import java.util.Locale;

/**
 * Things in a dialogue that a well-behaved client and server do not do, counted per session and in total.
 * Parsing always carries on after one: an anomaly is evidence, never a reason to stop looking.
 */
public enum Anomaly
{
    /** Bytes missing from a direction (capture loss or a hole the reorder buffer could not bridge). */
    GAP,
    /** A line longer than the limit (RFC 5321 4.5.3.1.4 allows 512 octets for a command). */
    LINE_TOO_LONG,
    /** A command line with control or non-ASCII bytes, or with no letters where the verb should be. */
    GARBAGE,
    /** A well-formed verb this parser does not know (XCLIENT, a typo, a body line sent after DATA failed). */
    UNKNOWN_COMMAND,
    /** MAIL without FROM:, RCPT without TO:, BDAT without a size. */
    BAD_SYNTAX,
    /** MAIL, RCPT or DATA before EHLO/HELO. */
    NO_HELO,
    /** RCPT or DATA with no MAIL transaction open. */
    OUT_OF_ORDER,
    /** MAIL while a transaction was already open (no RSET in between). */
    NESTED_MAIL,
    /** BDAT with a negative, non-numeric or absurd chunk size. */
    BAD_BDAT,
    /** A server line that is not {@code ddd[ -]text}. */
    BAD_REPLY,
    /** A reply with no command waiting for it. */
    UNSOLICITED_REPLY,
    /** A command after QUIT. */
    AFTER_QUIT,
    /**
     * A command in flight that the pipelining queue could not itemise: runs of equal commands (a pipelined
     * run of RCPTs) take one entry, so this takes over 60 different commands in a row without a reply.
     */
    PIPELINE_OVERFLOW,
    /**
     * A reply to a command that overflowed the pipelining queue: in order, but its command unknown. A
     * rejection among them still counts as the session being refused.
     */
    UNATTRIBUTED_REPLY,
    /** TLS bytes where SMTP text was due and no STARTTLS was accepted. */
    UNEXPECTED_TLS,
    /** The reorder buffer could not hold an out-of-order segment. */
    REORDER_OVERFLOW;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label()
    {
        return label;
    }
}
