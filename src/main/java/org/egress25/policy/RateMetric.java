package org.egress25.policy;

import java.util.Locale;

/** What a rate detector counts over its window, per inside host. */
public enum RateMetric
{
    /** Connection attempts: SYNs, retransmissions of the same SYN not counted again. */
    ATTEMPTS("attempts"),
    /** Distinct destination addresses attempted (a lower bound; see the analyser's javadoc). */
    DISTINCT_DESTINATIONS("distinct-destinations"),
    /** Failed attempts: RST from the server, or no SYN-ACK within the SYN timeout. */
    FAILURES("failures"),
    /** Failed attempts over attempts, judged only once min-attempts have been made. */
    FAILURE_RATIO("failure-ratio"),
    /** Connections open at once (established, not yet closed). Window is ignored. */
    CONCURRENT("concurrent-connections");

    private final String text;

    RateMetric(final String text)
    {
        this.text = text;
    }

    public String text()
    {
        return text;
    }

    public static RateMetric parse(final String value)
    {
        for (final RateMetric metric : values())
        {
            if (metric.text.equals(value.trim().toLowerCase(Locale.ROOT)))
            {
                return metric;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not a rate metric "
            + "(attempts, distinct-destinations, failures, failure-ratio, concurrent-connections)");
    }
}
