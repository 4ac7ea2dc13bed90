package org.egress25.enforce;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Settings of the nftables enforcer, validated once by {@link Builder#build()}.
 *
 * @param nftCommand     how to run nft; tests prefix {@code ip netns exec NS}
 * @param table          name of the {@code inet} table egress25 owns; nothing outside it is ever touched
 * @param ports          TCP destination ports cut off for a blocked host; 25 only by default, because
 *                       submission (587, 465) is authenticated and is how a cleaned-up subscriber keeps mailing
 * @param verdict        drop or reject with a TCP reset
 * @param outputChain    also police connections the gateway itself originates
 * @param priority       priority of the base chains; see {@link NftablesEnforcer} for why -1
 * @param commandTimeout an nft run that takes longer is killed and counted as a failure
 * @param latencyNanos   told the duration of every batch transaction (feed a histogram with it)
 * @param clock          wall clock, from which a block's remaining lifetime is computed
 */
public record NftablesConfig(
    List<String> nftCommand,
    String table,
    List<Integer> ports,
    NftVerdict verdict,
    boolean outputChain,
    int priority,
    Duration commandTimeout,
    LongConsumer latencyNanos,
    Clock clock)
{
    public static final String DEFAULT_TABLE = "egress25";

    public static Builder builder()
    {
        return new Builder();
    }

    /** Fluent construction with the defaults above; every setter may be skipped. */
    public static final class Builder
    {
        private List<String> nftCommand = List.of("nft");
        private String table = DEFAULT_TABLE;
        private List<Integer> ports = List.of(25);
        private NftVerdict verdict = NftVerdict.REJECT;
        private boolean outputChain;
        private int priority = -1;
        private Duration commandTimeout = Duration.ofSeconds(10);
        private LongConsumer latencyNanos = nanos -> { };
        private Clock clock = Clock.systemUTC();

        private Builder()
        {
        }

        public Builder nftCommand(final List<String> value)
        {
            nftCommand = List.copyOf(value);
            return this;
        }

        public Builder table(final String value)
        {
            table = value;
            return this;
        }

        public Builder ports(final List<Integer> value)
        {
            ports = List.copyOf(value);
            return this;
        }

        public Builder verdict(final NftVerdict value)
        {
            verdict = value;
            return this;
        }

        public Builder outputChain(final boolean value)
        {
            outputChain = value;
            return this;
        }

        public Builder priority(final int value)
        {
            priority = value;
            return this;
        }

        public Builder commandTimeout(final Duration value)
        {
            commandTimeout = value;
            return this;
        }

        public Builder latencyNanos(final LongConsumer value)
        {
            latencyNanos = Objects.requireNonNull(value, "latencyNanos");
            return this;
        }

        public Builder clock(final Clock value)
        {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @throws IllegalArgumentException naming the bad setting */
        public NftablesConfig build()
        {
            if (nftCommand.isEmpty())
            {
                throw new IllegalArgumentException("nft command must not be empty");
            }
            // the name goes into nft scripts verbatim, so only nft's plain identifiers are allowed
            if (table == null || !table.matches("[A-Za-z][A-Za-z0-9_]{0,63}"))
            {
                throw new IllegalArgumentException(
                    "nftables table name '" + table + "' must be a letter followed by letters, digits or _ (at most 64)");
            }
            if (ports.isEmpty())
            {
                throw new IllegalArgumentException("at least one port must be blocked");
            }
            for (final int port : ports)
            {
                if (port < 1 || port > 65535)
                {
                    throw new IllegalArgumentException("blocked port " + port + " is outside 1..65535");
                }
            }
            if (priority < -199 || priority > 1000)
            {
                // below -200 conntrack has not run yet and 'ct state new' would match nothing
                throw new IllegalArgumentException("chain priority " + priority + " must be in -199..1000");
            }
            if (commandTimeout.isNegative() || commandTimeout.isZero())
            {
                throw new IllegalArgumentException("nft command timeout must be positive, got " + commandTimeout);
            }
            return new NftablesConfig(nftCommand, table, ports, Objects.requireNonNull(verdict, "verdict"),
                outputChain, priority, commandTimeout, latencyNanos, clock);
        }
    }
}
