package org.egress25.policy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.egress25.host.Action;
import org.egress25.policy.RuleReader.Mapping;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The {@code smtp:} and {@code sprt:} sections: thresholds of the SMTP dialogue detectors and the
 * parameters of the sequential test. Every key may be left out (the built-in value applies) except in the
 * built-in rules themselves, which must state them all.
 */
final class SmtpSection
{
    private final RuleCompiler rules;
    private final RuleReader reader;

    SmtpSection(final RuleCompiler rules, final RuleReader reader)
    {
        this.rules = rules;
        this.reader = reader;
    }

    SmtpRules smtp()
    {
        final SmtpRules b = rules.base().smtp();
        final Mapping m = rules.section("smtp",
            List.of("blocklist", "rejection", "helo", "recipients", "harvest", "auth", "aborted"));
        if (m == null)
        {
            if (!rules.has("smtp"))
            {
                rules.missing("smtp");
            }
            return b;
        }
        final SmtpRules.Blocklist blocklist = sub(m, "blocklist", b.blocklist(), List.of("zones", "action"), s ->
        {
            final List<String> zones = rules.field(s, "zones", b.blocklist().zones(), reader::texts);
            if (zones != null && zones.isEmpty())
            {
                reader.error(s.get("zones"), s.path("zones") + ": list at least one blocklist name");
                return null;
            }
            final Action action = rules.field(s, "action", b.blocklist().action(), rules::action);
            return RuleCompiler.anyNull(zones, action) ? null : new SmtpRules.Blocklist(b.blocklist().id(), zones, action);
        });
        final SmtpRules.Rejection rejection = sub(m, "rejection", b.rejection(),
            List.of("share", "min-sessions", "window", "action"), s ->
            {
                final Double share = rules.field(s, "share", b.rejection().share(), this::share);
                final Long minSessions = rules.field(s, "min-sessions", (long)b.rejection().minSessions(), this::count);
                final Duration window = rules.field(s, "window", b.rejection().window(), reader::duration);
                final Action action = rules.field(s, "action", b.rejection().action(), rules::action);
                return RuleCompiler.anyNull(share, minSessions, window, action) ? null
                    : new SmtpRules.Rejection(b.rejection().id(), share, minSessions.intValue(), window, action);
            });
        final SmtpRules.Helo helo = sub(m, "helo", b.helo(),
            List.of("max-distinct-names", "window", "provider-domains", "action"), s ->
            {
                final Long names = rules.field(s, "max-distinct-names", (long)b.helo().maxDistinctNames(), this::count);
                final Duration window = rules.field(s, "window", b.helo().window(), reader::duration);
                final List<String> domains = rules.field(s, "provider-domains", b.helo().providerDomains(), reader::texts);
                final Action action = rules.field(s, "action", b.helo().action(), (n, p) -> rules.alertOnly(n, p,
                    "HELO oddities alone never block (a misconfigured but honest MTA looks the same)"));
                return RuleCompiler.anyNull(names, window, domains, action) ? null
                    : new SmtpRules.Helo(b.helo().id(), names.intValue(), window, domains, action);
            });
        final SmtpRules.Recipients recipients = sub(m, "recipients", b.recipients(),
            List.of("max-recipients", "max-domains", "window", "action"), s ->
            {
                final Long max = rules.field(s, "max-recipients", (long)b.recipients().maxRecipients(), this::count);
                final Long domains = rules.field(s, "max-domains", (long)b.recipients().maxDomains(), this::count);
                final Duration window = rules.field(s, "window", b.recipients().window(), reader::duration);
                final Action action = rules.field(s, "action", b.recipients().action(), rules::action);
                return RuleCompiler.anyNull(max, domains, window, action) ? null
                    : new SmtpRules.Recipients(b.recipients().id(), max.intValue(), domains.intValue(), window, action);
            });
        final SmtpRules.Harvest harvest = sub(m, "harvest", b.harvest(),
            List.of("min-recipients", "reject-share", "action"), s ->
            {
                final Long min = rules.field(s, "min-recipients", (long)b.harvest().minRecipients(), this::count);
                final Double share = rules.field(s, "reject-share", b.harvest().rejectShare(), this::share);
                final Action action = rules.field(s, "action", b.harvest().action(), rules::action);
                return RuleCompiler.anyNull(min, share, action) ? null
                    : new SmtpRules.Harvest(b.harvest().id(), min.intValue(), share, action);
            });
        final SmtpRules.Auth auth = sub(m, "auth", b.auth(), List.of("max-failures", "window", "action"), s ->
        {
            final Long max = rules.field(s, "max-failures", (long)b.auth().maxFailures(), this::count);
            final Duration window = rules.field(s, "window", b.auth().window(), reader::duration);
            final Action action = rules.field(s, "action", b.auth().action(), (n, p) -> rules.alertOnly(n, p,
                "AUTH happens on submission ports, and " + RuleCompiler.SUBMISSION_REASON));
            return RuleCompiler.anyNull(max, window, action) ? null : new SmtpRules.Auth(b.auth().id(), max.intValue(), window, action);
        });
        final SmtpRules.Aborted aborted = sub(m, "aborted", b.aborted(),
            List.of("share", "min-sessions", "window", "action"), s ->
            {
                final Double share = rules.field(s, "share", b.aborted().share(), this::share);
                final Long minSessions = rules.field(s, "min-sessions", (long)b.aborted().minSessions(), this::count);
                final Duration window = rules.field(s, "window", b.aborted().window(), reader::duration);
                final Action action = rules.field(s, "action", b.aborted().action(), rules::action);
                return RuleCompiler.anyNull(share, minSessions, window, action) ? null
                    : new SmtpRules.Aborted(b.aborted().id(), share, minSessions.intValue(), window, action);
            });
        return RuleCompiler.anyNull(blocklist, rejection, helo, recipients, harvest, auth, aborted) ? null
            : new SmtpRules(blocklist, rejection, helo, recipients, harvest, auth, aborted);
    }

    /** A sub-mapping of a section: read when present, the base value when absent (outside strict mode). */
    private <T> T sub(
        final Mapping m, final String key, final T fallback, final List<String> keys,
        final Function<Mapping, T> read)
    {
        return rules.field(m, key, fallback, (node, path) ->
        {
            final Mapping s = reader.mapping(node, path, keys);
            return s == null ? null : read.apply(s);
        });
    }

    private Double share(final Node node, final String path)
    {
        return reader.number(node, path, 0, true, 1, false);
    }

    private Long count(final Node node, final String path)
    {
        return reader.integer(node, path, 1, 1_000_000_000);
    }

    SprtRules sprt()
    {
        final SprtRules b = rules.base().sprt();
        final Mapping m = rules.section("sprt",
            List.of("alpha", "beta", "theta0", "theta1", "idle-reset", "likelihoods", "corroboration-alpha"));
        if (m == null)
        {
            if (!rules.has("sprt"))
            {
                rules.missing("sprt");
            }
            return b;
        }
        final BiFunction<Node, String, Double> errorRate = (n, p) -> reader.number(n, p, 0, true, 0.5, true);
        final BiFunction<Node, String, Double> probability = (n, p) -> reader.number(n, p, 0, true, 1, true);
        final Double alpha = rules.field(m, "alpha", b.alpha(), errorRate);
        final Double beta = rules.field(m, "beta", b.beta(), errorRate);
        final Double theta0 = rules.field(m, "theta0", b.theta0(), probability);
        final Double theta1 = rules.field(m, "theta1", b.theta1(), probability);
        final Duration idle = rules.field(m, "idle-reset", b.idleReset(), reader::duration);
        Double corroboration = rules.field(m, "corroboration-alpha", b.corroborationAlpha(), errorRate);
        final Map<String, SprtRules.Likelihood> likelihoods = rules.field(m, "likelihoods", b.likelihoods(),
            this::likelihoods);
        if (theta0 != null && theta1 != null && theta0 >= theta1)
        {
            reader.error(m.has("theta1") ? m.get("theta1") : m.node(), "sprt.theta1: must be greater than theta0 ("
                + RuleReader.format(theta1) + " <= " + RuleReader.format(theta0) + "): a spambot's observations"
                + " are bad more often than a clean host's");
            return null;
        }
        if (alpha != null && corroboration != null && corroboration < alpha && !m.has("corroboration-alpha"))
        {
            // Left out: never ask less of the test alone than of corroboration.
            corroboration = alpha;
        }
        if (alpha != null && corroboration != null && corroboration < alpha)
        {
            reader.error(m.get("corroboration-alpha"), "sprt.corroboration-alpha: must be at least alpha ("
                + RuleReader.format(corroboration) + " < " + RuleReader.format(alpha) + "): corroborating a volume"
                + " finding asks for less evidence than blocking on the test alone");
            return null;
        }
        return RuleCompiler.anyNull(alpha, beta, theta0, theta1, idle, corroboration, likelihoods) ? null
            : new SprtRules(b.id(), alpha, beta, theta0, theta1, idle, likelihoods, corroboration);
    }

    /** {@code likelihoods: {unknown-users: {clean: 0.1, spambot: 0.3}}}: each listed kind's own pair. */
    private Map<String, SprtRules.Likelihood> likelihoods(final Node node, final String path)
    {
        final Mapping kinds = reader.mapping(node, path, SprtRules.KINDS);
        if (kinds == null)
        {
            return null;
        }
        final BiFunction<Node, String, Double> probability = (n, p) -> reader.number(n, p, 0, true, 1, true);
        final Map<String, SprtRules.Likelihood> out = new LinkedHashMap<>();
        boolean ok = true;
        for (final String kind : kinds.keys())
        {
            final Mapping pair = reader.mapping(kinds.get(kind), kinds.path(kind), List.of("clean", "spambot"));
            if (pair == null)
            {
                ok = false;
                continue;
            }
            final Node cleanNode = pair.required("clean");
            final Node spambotNode = pair.required("spambot");
            final Double clean = cleanNode == null ? null : probability.apply(cleanNode, pair.path("clean"));
            final Double spambot = spambotNode == null ? null : probability.apply(spambotNode, pair.path("spambot"));
            if (clean == null || spambot == null)
            {
                ok = false;
                continue;
            }
            if (spambot <= clean)
            {
                reader.error(spambotNode, pair.path("spambot") + ": must be greater than clean ("
                    + RuleReader.format(spambot) + " <= " + RuleReader.format(clean) + "): a bad observation is"
                    + " evidence against the host only if spambots make it more often");
                ok = false;
                continue;
            }
            out.put(kind, new SprtRules.Likelihood(clean, spambot));
        }
        return ok ? out : null;
    }
}
