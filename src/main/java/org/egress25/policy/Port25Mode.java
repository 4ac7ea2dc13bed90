package org.egress25.policy;

import java.util.Locale;

/**
 * How a class of inside networks is policed on port 25. Submission ports (587, 465, 2525) are never
 * blocked on port alone in any mode (RFC 5068, RFC 6409, RFC 8314): their detectors only alert.
 */
public enum Port25Mode
{
    /** Outbound 25 blocked outright (M3AAWG practice, OP25B); attempts are still counted and reported. */
    BLOCK_BY_DEFAULT("block-by-default"),
    /** The analysers decide. */
    DETECT_THEN_BLOCK("detect-then-block"),
    /** Analyse and alert, never block. */
    OBSERVE("observe");

    private final String text;

    Port25Mode(final String text)
    {
        this.text = text;
    }

    public String text()
    {
        return text;
    }

    public static Port25Mode parse(final String value)
    {
        for (final Port25Mode mode : values())
        {
            if (mode.text.equals(value.trim().toLowerCase(Locale.ROOT)))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException(
            "'" + value + "' is not a port-25 mode (block-by-default, detect-then-block, observe)");
    }
}
