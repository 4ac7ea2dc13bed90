package org.egress25.policy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of the per-host sequential probability ratio test (SPOT, Duan et al., INFOCOM 2009).
 * An observation is bad with probability theta1 for a spambot and theta0 for a clean host; alpha and beta
 * bound the false-positive and false-negative rates. Each kind of bad observation may carry its own pair of
 * likelihoods ({@link #likelihoods}); a kind not listed there uses theta0 and theta1.
 *
 * @param alpha              tolerated false-positive rate
 * @param beta               tolerated false-negative rate
 * @param theta0             chance an observation of a clean host is bad
 * @param theta1             chance an observation of a spambot is bad
 * @param idleReset          the test restarts after this long without observations
 * @param likelihoods        per kind of bad observation ({@link #KINDS}), its own chances for a clean host and a
 *                           spambot; the step it adds is ln(spambot / clean)
 * @param corroborationAlpha the false-corroboration rate: a volume finding may block once the test's
 *                           log-likelihood ratio reaches ln((1 - beta) / corroborationAlpha)
 */
public record SprtRules(String id, double alpha, double beta, double theta0, double theta1, Duration idleReset,
    Map<String, Likelihood> likelihoods, double corroborationAlpha)
{
    /** The kinds of bad observation that may be given their own likelihoods, as written in the rules. */
    public static final List<String> KINDS = List.of("rejected", "no-data", "odd-helo", "blocklist", "unknown-users");

    /**
     * The chances that one session of a clean host, and of a spambot, ends this way.
     *
     * @param clean   for a clean host, in (0, 1)
     * @param spambot for a spambot, in (0, 1)
     */
    public record Likelihood(double clean, double spambot)
    {
        /** What one such observation adds to the log-likelihood ratio. */
        public double step()
        {
            return Math.log(spambot / clean);
        }
    }

    public SprtRules
    {
        likelihoods = Map.copyOf(likelihoods);
    }

    /** Theta0 and theta1 for every kind, the default corroboration rate: for tests that vary the core values. */
    public SprtRules(final String id, final double alpha, final double beta, final double theta0, final double theta1,
        final Duration idleReset)
    {
        this(id, alpha, beta, theta0, theta1, idleReset, defaultLikelihoods(), DEFAULT_CORROBORATION_ALPHA);
    }

    /**
     * One false corroboration in a thousand tests: ln(0.99 / 0.001) = 6.9, five refused or blocklisted sessions
     * with no accepted one between them (rules/README.md, "Evidence model").
     */
    public static final double DEFAULT_CORROBORATION_ALPHA = 0.001;

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

    /** ln((1-beta)/corroborationAlpha): reach it and the test backs a volume finding. */
    public double corroborationBound()
    {
        return Math.log((1 - beta) / corroborationAlpha);
    }

    /** The step of one bad observation of {@code kind} (one of {@link #KINDS}). */
    public double step(final String kind)
    {
        final Likelihood given = likelihoods.get(kind);
        return given != null ? given.step() : Math.log(theta1 / theta0);
    }

    /**
     * Mailbox-level refusals (550 5.1.1 user unknown) are weaker evidence than a client-level refusal: a clean
     * MTA's recipient lists go stale too. 10% of a clean host's sessions against 30% of a spambot's: step
     * ln 3 = 1.10 instead of 1.50 (rules/README.md has the sources).
     */
    public static Map<String, Likelihood> defaultLikelihoods()
    {
        final Map<String, Likelihood> map = new LinkedHashMap<>();
        map.put("unknown-users", new Likelihood(0.1, 0.3));
        return map;
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
