package org.egress25.synth;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.egress25.host.Cidr;

/**
 * What to generate: who is on the inside network, for how long, from which seed. The same scenario always
 * yields the same bytes.
 *
 * @param seed              every random choice derives from it
 * @param start             capture time of the first instant
 * @param duration          hosts start no activity after start + duration (sessions under way finish)
 * @param hosts             how many hosts of each kind ({@link HostKind#BACKGROUND} is ignored: the background
 *                          pool is sized from the packet budget)
 * @param inside            inside prefixes; IPv4 hosts go round the IPv4 ones (the NAT office prefers
 *                          100.64.0.0/10 when present), IPv6 hosts use the IPv6 ones
 * @param backgroundPackets packets of web, DNS and QUIC from a pool of ~1 host per 500 packets, spread evenly
 */
public record Scenario(
    long seed, Instant start, Duration duration, Map<HostKind, Integer> hosts, List<Cidr> inside,
    long backgroundPackets)
{
    public Scenario
    {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException("duration must be positive, not " + duration);
        }
        if (backgroundPackets < 0)
        {
            throw new IllegalArgumentException("background packet budget must not be negative");
        }
        final EnumMap<HostKind, Integer> counts = new EnumMap<>(HostKind.class);
        for (final Map.Entry<HostKind, Integer> entry : hosts.entrySet())
        {
            if (entry.getValue() < 0)
            {
                throw new IllegalArgumentException("host count of " + entry.getKey().label() + " must not be negative");
            }
            counts.put(entry.getKey(), entry.getValue());
        }
        hosts = Collections.unmodifiableMap(counts);
        inside = List.copyOf(inside);
        if (inside.isEmpty())
        {
            throw new IllegalArgumentException("at least one inside prefix is needed");
        }
        final boolean anyIpv4 = inside.stream().anyMatch(Cidr::isIpv4);
        for (final HostKind v6 : List.of(HostKind.IPV6_SPAMBOT, HostKind.IPV6_ROTATING_BOT))
        {
            if (counts.getOrDefault(v6, 0) > 0 && inside.stream().allMatch(Cidr::isIpv4))
            {
                throw new IllegalArgumentException("scenario has " + v6.label() + " hosts but no inside IPv6 prefix");
            }
        }
        final boolean anyIpv4Host = counts.entrySet().stream().anyMatch(entry -> entry.getKey() != HostKind.IPV6_SPAMBOT
            && entry.getKey() != HostKind.IPV6_ROTATING_BOT && entry.getValue() > 0);
        if ((anyIpv4Host || backgroundPackets > 0) && !anyIpv4)
        {
            throw new IllegalArgumentException("scenario has IPv4 hosts but no inside IPv4 prefix");
        }
    }

    public int count(final HostKind kind)
    {
        return hosts.getOrDefault(kind, 0);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Adds the harder test bed (rules/README.md, "Calibration") to a builder: one host of every kind of
     * {@link HostKind#hardTestBed()}, two busy business MTAs and two low-and-slow bots; with
     * {@code defaultPrefixes}, the default inside prefixes plus 172.16.0.0/16, which the shipped rules class as
     * business-static, where the business kinds go.
     */
    public static Builder hardTestBed(final Builder builder, final boolean defaultPrefixes)
    {
        for (final HostKind kind : HostKind.hardTestBed())
        {
            builder.hosts(kind, kind == HostKind.BUSY_BUSINESS_MTA || kind == HostKind.LOW_AND_SLOW_BOT ? 2 : 1);
        }
        if (defaultPrefixes)
        {
            builder.inside("10.0.0.0/16").inside("100.64.0.0/10").inside("172.16.0.0/16").inside("2001:db8:100::/48");
        }
        return builder;
    }

    /**
     * Defaults: seed 1, 10 minutes from 2026-11-28T08:00:00Z, one host of every original kind (the harder test
     * bed's kinds are added with {@link #hosts}), inside 10.0.0.0/16,
     * 100.64.0.0/10 and 2001:db8:100::/48, no background.
     */
    public static final class Builder
    {
        private long seed = 1;
        private Instant start = Instant.parse("2026-11-28T08:00:00Z");
        private Duration duration = Duration.ofMinutes(10);
        private final EnumMap<HostKind, Integer> hosts = new EnumMap<>(HostKind.class);
        private final List<Cidr> inside = new ArrayList<>();
        private long backgroundPackets;

        private Builder()
        {
            for (final HostKind kind : HostKind.values())
            {
                if (kind.ordinal() < HostKind.BACKGROUND.ordinal())
                {
                    hosts.put(kind, 1);
                }
            }
        }

        public Builder seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        public Builder start(final Instant start)
        {
            this.start = start;
            return this;
        }

        public Builder duration(final Duration duration)
        {
            this.duration = duration;
            return this;
        }

        public Builder hosts(final HostKind kind, final int count)
        {
            hosts.put(kind, count);
            return this;
        }

        /** Sets every kind's count to zero, to build a scenario up from nothing. */
        public Builder noHosts()
        {
            hosts.replaceAll((kind, count) -> 0);
            return this;
        }

        /** Adds an inside prefix such as {@code 10.0.0.0/16}; the first call replaces the defaults. */
        public Builder inside(final String prefix)
        {
            inside.add(Cidr.parse(prefix));
            return this;
        }

        public Builder backgroundPackets(final long packets)
        {
            this.backgroundPackets = packets;
            return this;
        }

        public Scenario build()
        {
            final List<Cidr> prefixes = inside.isEmpty()
                ? List.of(Cidr.parse("10.0.0.0/16"), Cidr.parse("100.64.0.0/10"), Cidr.parse("2001:db8:100::/48"))
                : inside;
            return new Scenario(seed, start, duration, hosts, prefixes, backgroundPackets);
        }
    }
}
