package org.egress25.policy;

import java.time.Duration;
import java.util.Locale;

/** Durations as operators type them on the command line: {@code 90s}, {@code 10m}, {@code 2h}, {@code 7d}, or ISO-8601. */
public final class Durations
{
    private Durations()
    {
    }

    /** @throws IllegalArgumentException naming the text and the accepted forms */
    public static Duration parse(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        try
        {
            if (t.startsWith("p"))
            {
                return positive(text, Duration.parse(t.toUpperCase(Locale.ROOT)));
            }
            final long amount = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1))
            {
                case 's':
                    return positive(text, Duration.ofSeconds(amount));
                case 'm':
                    return positive(text, Duration.ofMinutes(amount));
                case 'h':
                    return positive(text, Duration.ofHours(amount));
                case 'd':
                    return positive(text, Duration.ofDays(amount));
                default:
                    break;
            }
        }
        catch (final RuntimeException e)
        {
            // fall through to the message below
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 90s, 10m, 2h, 7d or PT2H)");
    }

    private static Duration positive(final String text, final Duration d)
    {
        if (d.isNegative() || d.isZero())
        {
            throw new IllegalArgumentException("'" + text + "' must be longer than zero");
        }
        return d;
    }
}
