package org.egress25.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.egress25.enforce.BlockJournal;
import org.egress25.enforce.Enforcer;
import org.egress25.enforce.EnforcerService;
import org.egress25.enforce.ExecEnforcer;
import org.egress25.enforce.NftVerdict;
import org.egress25.enforce.NftablesConfig;
import org.egress25.enforce.NftablesEnforcer;
import org.egress25.enforce.NoopEnforcer;
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

    static String kind(final CommonOptions options, final Policy policy, final boolean live)
    {
        if (options.enforce != null)
        {
            return options.enforce;
        }
        return live ? policy.enforcement().enforcer() : "none";
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
            case "exec":
                if (rules.execCommand().isEmpty())
                {
                    throw new ConfigException("--enforce exec needs enforcement.exec.command in the rules");
                }
                return new ExecEnforcer(rules.execCommand(), rules.execTimeout(), 2, 1024);
            case "none":
                return new NoopEnforcer();
            default:
                throw new ConfigException("unknown enforcer '" + kind + "' (nftables, exec, none)");
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

    static EnforcerService service(final Enforcer enforcer, final BlockJournal journal, final Policy policy)
    {
        return new EnforcerService(enforcer, journal, policy.ladder().memory(), 65_536, Clock.systemUTC());
    }
}
