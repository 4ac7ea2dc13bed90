package org.egress25.smtp;

import java.util.Locale;

/** Whether a session's dialogue could be read: in the clear, upgraded with STARTTLS, or TLS from the first byte. */
public enum TlsState
{
    /** Plain text throughout (what port 25 is until STARTTLS). */
    NONE,
    /** STARTTLS accepted (220): everything after it is opaque, counted in bytes, never parsed. */
    STARTTLS,
    /** TLS from the first byte (port 465, RFC 8314), or a TLS record where SMTP text was due. */
    IMPLICIT;

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
