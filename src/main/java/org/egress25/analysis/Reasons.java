package org.egress25.analysis;

import java.util.Locale;
import org.egress25.policy.PortGroup;
import org.egress25.policy.RateMetric;

/** Words for decisions: window labels, figures and the one-sentence reason a person reads. */
final class Reasons
{
    private static final long SECOND = 1_000_000_000L;

    private Reasons()
    {
    }

    /** {@code 1m}, {@code 5m}, {@code 1h}, {@code 90s}, {@code 1d}: the suffix of evidence keys. */
    static String window(final long nanos)
    {
        final long seconds = nanos / SECOND;
        if (seconds > 0 && seconds % 86_400 == 0)
        {
            return seconds / 86_400 + "d";
        }
        if (seconds > 0 && seconds % 3600 == 0)
        {
            return seconds / 3600 + "h";
        }
        if (seconds > 0 && seconds % 60 == 0)
        {
            return seconds / 60 + "m";
        }
        if (nanos % SECOND == 0)
        {
            return seconds + "s";
        }
        return nanos / 1_000_000 + "ms";
    }

    /** A count estimate as a person reads it: whole when it is (nearly) whole, else one decimal. */
    static String figure(final double value)
    {
        final long rounded = Math.round(value);
        if (Math.abs(value - rounded) < 0.05)
        {
            return Long.toString(rounded);
        }
        return String.format(Locale.ROOT, "%.1f", value);
    }

    /** A count estimate for evidence: a Long when whole, else a Double rounded to one decimal. */
    static Object number(final double value)
    {
        final long rounded = Math.round(value);
        if (Math.abs(value - rounded) < 0.05)
        {
            return rounded;
        }
        return Math.round(value * 10) / 10.0;
    }

    private static String ports(final PortGroup group)
    {
        switch (group)
        {
            case RELAY:
                return "port 25";
            case SUBMISSION:
                return "submission ports";
            default:
                return "SMTP ports";
        }
    }

    private static String percent(final double ratio)
    {
        return Math.round(ratio * 100) + "%";
    }

    /**
     * E.g. "10.0.3.4 made 57 connection attempts to port 25 in the last 1m, above the limit of 20 (rule
     * port25-attempts-1m)".
     */
    static String sentence(
        final String host,
        final String rule,
        final RateMetric metric,
        final PortGroup group,
        final long windowNanos,
        final double value,
        final double threshold,
        final double attempts)
    {
        final String where = ports(group);
        final String last = " in the last " + window(windowNanos);
        final String limit = ", above the limit of " + figure(threshold) + " (rule " + rule + ")";
        switch (metric)
        {
            case ATTEMPTS:
                return host + " made " + figure(value) + " connection attempts to " + where + last + limit;
            case DISTINCT_DESTINATIONS:
                // the count is a sliding-window estimate over a 128-bit bitmap (WindowSlot), so a fraction
                // such as 5.4 is no count of addresses: say a whole number, and that it is estimated
                return host + " tried about " + Math.round(value) + " distinct destination addresses (estimated) on "
                    + where + last + limit;
            case FAILURES:
                return host + " had " + figure(value) + " failed connection attempts to " + where + last + limit;
            case FAILURE_RATIO:
                return host + " had " + percent(value) + " of its " + figure(attempts) + " connection attempts to "
                    + where + " fail" + last + ", at or above the limit of " + percent(threshold) + " (rule "
                    + rule + ")";
            default:
                return host + " held " + figure(value) + " connections to " + where + " open at once" + limit;
        }
    }
}
