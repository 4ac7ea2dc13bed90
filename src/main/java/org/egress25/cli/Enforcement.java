package org.egress25.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.LongConsumer;
import org.egress25.enforce.BlockJournal;
import org.egress25.enforce.Enforcer;
import org.egress25.enforce.EnforcerService;
import org.egress25.enforce.ExecEnforcer;
import org.egress25.enforce.FlowspecEnforcer;
import org.egress25.enforce.NftVerdict;
import org.egress25.enforce.NftablesConfig;
import org.egress25.enforce.NftablesEnforcer;
import org.egress25.enforce.NoopEnforcer;
import org.egress25.policy.Durations;
import org.egress25.policy.EnforcementRules;
import org.egress25.policy.Policy;

/**
 * Chooses and builds the enforcer: {@code --enforce} wins over the rules' {@code enforcement.enforcer}; a
 * replay defaults to none (shadow mode) whatever the rules say, so replaying a capture never touches a
 * firewall by accident.
 */
final class Enforcement
{
    /** Strike records older than this are dropped from the journal at compaction. */
    private static final Duration STRIKE_RETENTION = Duration.ofDays(90);
    private static final int COMPACT_AFTER = 10_000;

    private Enforcement()
    {
    }

    /** How each enforcer name is built; a new enforcer is a class and one line here. */
    private static final Map<String, BiFunction<Policy, LongConsumer, Enforcer>> FACTORIES = factories();

    private static Map<String, BiFunction<Policy, LongConsumer, Enforcer>> factories()
    {
        final Map<String, BiFunction<Policy, LongConsumer, Enforcer>> map = new LinkedHashMap<>();
        map.put("nftables", (policy, latency) -> build("nftables", policy, latency));
        map.put("flowspec", (policy, latency) -> build("flowspec", policy, latency));
        map.put("exec", (policy, latency) -> build("exec", policy, latency));
        map.put("none", (policy, latency) -> build("none", policy, latency));
        return map;
    }

    static String kind(final CommonOptions options, final Policy policy, final boolean live)
    {
        if (options.enforce != null)
        {
            return options.enforce;
        }
        return live ? policy.enforcement().enforcer() : "none";
    }

    /**
     * The enforcer names in {@code text} ({@code nftables} or {@code nftables,exec}), checked.
     *
     * @throws ConfigException naming {@code where} and the known names
     */
    static List<String> names(final String text, final String where)
    {
        final List<String> names = new ArrayList<>();
        for (final String part : text.split(","))
        {
            final String name = part.strip();
            if (!FACTORIES.containsKey(name))
            {
                throw new ConfigException(where + ": unknown enforcer '" + name + "' (" + String.join(", ", FACTORIES.keySet())
                    + "; several with commas)");
            }
            if (names.contains(name))
            {
                throw new ConfigException(where + ": enforcer '" + name + "' is named twice");
            }
            names.add(name);
        }
        if (names.size() > 1 && names.contains("none"))
        {
            throw new ConfigException(where + ": 'none' (shadow mode) cannot be combined with other enforcers");
        }
        return names;
    }

    static Duration reconcileEvery(final String text)
    {
        try
        {
            return Durations.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new ConfigException("--reconcile-every: " + e.getMessage());
        }
    }

    /** Every enforcer {@code kinds} names, in order. */
    static List<Enforcer> buildAll(final String kinds, final Policy policy, final LongConsumer latencyNanos)
    {
        final List<Enforcer> enforcers = new ArrayList<>();
        for (final String name : names(kinds, "enforcement"))
        {
            enforcers.add(FACTORIES.get(name).apply(policy, latencyNanos));
        }
        return enforcers;
    }

    static Enforcer build(final String kind, final Policy policy, final LongConsumer latencyNanos)
    {
        final EnforcementRules rules = policy.enforcement();
        switch (kind)
        {
            case "nftables":
                try
                {
                    return new NftablesEnforcer(NftablesConfig.builder()
                        .table(rules.table())
                        .ports(rules.ports())
                        .verdict(NftVerdict.parse(rules.verdict()))
                        .outputChain(rules.outputChain())
                        .latencyNanos(latencyNanos)
                        .build());
                }
                catch (final IllegalArgumentException e)
                {
                    throw new ConfigException("enforcement: " + e.getMessage());
                }
            case "flowspec":
                return FlowspecEnforcer.gobgp(rules.flowspec().command(), rules.ports(), rules.flowspec().action(),
                    rules.flowspec().timeout());
            case "exec":
                if (rules.execCommand().isEmpty())
                {
                    throw new ConfigException("--enforce exec needs enforcement.exec.command in the rules");
                }
                return new ExecEnforcer(rules.execCommand(), rules.execTimeout(), 2, 1024);
            case "none":
                return new NoopEnforcer();
            default:
                throw new ConfigException("unknown enforcer '" + kind + "' (nftables, flowspec, exec, none)");
        }
    }

    /** The journal in {@code stateDir}, or null (in-memory) when no state directory is used. */
    static BlockJournal journal(final Path stateDir) throws IOException
    {
        if (stateDir == null)
        {
            return null;
        }
        Files.createDirectories(stateDir);
        try
        {
            return BlockJournal.open(stateDir.resolve("blocks.jsonl"), STRIKE_RETENTION, COMPACT_AFTER, Clock.systemUTC());
        }
        catch (final IOException e)
        {
            throw new ConfigException("state directory " + stateDir + ": " + e.getMessage(), e);
        }
    }

    static EnforcerService service(final List<Enforcer> enforcers, final BlockJournal journal, final Policy policy,
        final Duration reconcileEvery)
    {
        return new EnforcerService(enforcers, journal, policy.ladder().memory(), 65_536, Clock.systemUTC(), reconcileEvery);
    }
}
