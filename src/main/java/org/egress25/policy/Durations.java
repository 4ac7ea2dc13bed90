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

    /** As an operator writes it in the rules: 90s, 10m, 2h, 7d (ms below a second). */
    public static String text(final Duration d)
    {
        if (d.isZero())
        {
            return "0s";
        }
        if (d.getNano() != 0)
        {
            return d.toMillis() + "ms";
        }
        final long seconds = d.getSeconds();
        if (seconds % 86_400L == 0 && seconds > 86_400L)
        {
            return seconds / 86_400L + "d";
        }
        if (seconds % 3_600L == 0)
        {
            return seconds / 3_600L + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
