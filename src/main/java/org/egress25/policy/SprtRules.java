package org.egress25.policy;

import java.time.Duration;

/**
 * Parameters of the per-host sequential probability ratio test (SPOT, Duan et al., INFOCOM 2009).
 * An observation is bad with probability theta1 for a spambot and theta0 for a clean host; alpha and beta
 * bound the false-positive and false-negative rates.
 *
 * @param alpha     tolerated false-positive rate
 * @param beta      tolerated false-negative rate
 * @param theta0    chance an observation of a clean host is bad
 * @param theta1    chance an observation of a spambot is bad
 * @param idleReset the test restarts after this long without observations
 */
public record SprtRules(String id, double alpha, double beta, double theta0, double theta1, Duration idleReset)
{
    /** ln((1-beta)/alpha): cross it and the host is judged a spambot. */
    public double upperBound()
    {
        return Math.log((1 - beta) / alpha);
    }

    /** ln(beta/(1-alpha)): fall below it and the host is judged clean; the test restarts. */
    public double lowerBound()
    {
        return Math.log(beta / (1 - alpha));
    }

    /**
     * SPOT's values except alpha: 1e-6 rather than 0.01, because a clean host runs many tests in a row and
     * 0.01 would block a small MTA with 10% bad sessions several times a year (rules/README.md has the figures).
     */
    public static SprtRules defaults()
    {
        return new SprtRules("sprt", 0.000001, 0.01, 0.2, 0.9, Duration.ofHours(1));
    }
}
