package org.egress25.enforce;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.egress25.policy.BlockLadder;
import org.egress25.host.Cidr;
import org.egress25.policy.Exemption;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;

/**
 * The text of the nft transactions egress25 runs. Every statement names egress25's own table; nothing here
 * can reach another table, and there is no {@code flush ruleset}.
 *
 * <p>nftables 1.0.6 (Debian 12) has no {@code destroy element}, and {@code delete element} of an absent
 * element fails the whole transaction. So removal is written as "add with a 1 s timeout, then delete": the
 * add makes the delete always valid, and both happen in one atomic transaction, so the 1 s element is never
 * visible. A block is the same pair followed by the real add, which also replaces the lifetime of a host
 * that is already blocked (older kernels ignore the timeout of an {@code add} for an existing element).
 */
final class NftScript
{
    /** One element change; the last op for a host wins. {@code host} is an address or an IPv6 prefix ({@code x::/64}). */
    record Op(String host, boolean ipv6, boolean add, Instant expires)
    {
        /** From a canonical host text: IPv6 when it has a colon, a prefix when it has a slash. */
        static Op of(final String host, final boolean add, final Instant expires)
        {
            return new Op(host, host.indexOf(':') >= 0, add, expires);
        }

        String set()
        {
            return host.indexOf('/') >= 0 ? PREFIX_SET : setName(ipv6);
        }
    }

    /**
     * Blocked IPv6 prefixes (a subscriber's /64 whose addresses together were the evidence): an interval set,
     * matched after the exemptions so that an exempt customer inside a blocked prefix keeps port 25.
     */
    static final String PREFIX_SET = "blocked6net";
    /** The sets of blocks, in the order transactions touch them. */
    static final List<String> BLOCK_SETS = List.of("blocked4", "blocked6", PREFIX_SET);

    private NftScript()
    {
    }

    /** The set holding the owner mark, see {@link TableOwner}. */
    static final String OWNER_SET = "owner";

    /** Replaces the owner mark with {@code owner}'s; appended to a set-up, in the same transaction. */
    static String claim(final String table, final TableOwner owner)
    {
        final String set = "inet " + table + " " + OWNER_SET;
        return "add set " + set + " { type mark; }\n"
            + "flush set " + set + "\n"
            + "add element " + set + " { " + (owner.pid() & 0xffffffffL) + " comment \"" + owner.comment() + "\" }\n";
    }

    static String setName(final boolean ipv6)
    {
        return ipv6 ? "blocked6" : "blocked4";
    }

    /**
     * Creates the table, sets and chains, or adopts them: existing sets keep their elements; the chains are
     * replaced, so a changed port list, verdict or priority takes effect on restart.
     */
    static String setup(final NftablesConfig config)
    {
        final String t = "inet " + config.table();
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("add table ").append(t).append('\n');
        sb.append("add set ").append(t).append(" blocked4 { type ipv4_addr; flags timeout; }\n");
        sb.append("add set ").append(t).append(" blocked6 { type ipv6_addr; flags timeout; }\n");
        sb.append("add set ").append(t).append(' ').append(PREFIX_SET)
            .append(" { type ipv6_addr; flags interval, timeout; }\n");
        for (final String set : POLICY_SETS)
        {
            sb.append("add set ").append(t).append(' ').append(set).append(" { type ")
                .append(set.endsWith("6") ? "ipv6_addr" : "ipv4_addr").append("; flags interval; auto-merge; }\n");
        }
        chain(sb, config, "forward", true);
        chain(sb, config, "output", config.outputChain());
        return sb.toString();
    }

    private static void chain(final StringBuilder sb, final NftablesConfig config, final String hook, final boolean wanted)
    {
        final String chain = "inet " + config.table() + " " + hook;
        // add-flush-delete: valid whether or not the chain exists, and leaves nothing of an old definition
        sb.append("add chain ").append(chain).append('\n');
        sb.append("flush chain ").append(chain).append('\n');
        sb.append("delete chain ").append(chain).append('\n');
        if (!wanted)
        {
            return;
        }
        sb.append("add chain ").append(chain).append(" { type filter hook ").append(hook)
            .append(" priority ").append(config.priority()).append("; policy accept; }\n");
        final StringJoiner ports = new StringJoiner(", ", "{ ", " }");
        config.ports().forEach(p -> ports.add(Integer.toString(p)));
        for (final boolean ipv6 : new boolean[] {false, true})
        {
            final String family = ipv6 ? " ip6 " : " ip ";
            final String v = ipv6 ? "6" : "4";
            // 1. a host egress25 blocked (detector or operator), whatever its class
            sb.append("add rule ").append(chain).append(family).append("saddr @").append(setName(ipv6))
                .append(" tcp dport ").append(ports).append(" ct state new ")
                .append(config.verdict().statement()).append('\n');
            // 2. exempt customers and the ISP's own relays leave this chain (other tables still judge them)
            sb.append("add rule ").append(chain).append(family).append("saddr @exempt").append(v)
                .append(" tcp dport ").append(ports).append(" accept\n");
            sb.append("add rule ").append(chain).append(family).append("daddr @relays").append(v)
                .append(" tcp dport ").append(ports).append(" accept\n");
            if (ipv6)
            {
                // 2b. a blocked prefix: after the exemptions, which win over a block of the prefix around them
                sb.append("add rule ").append(chain).append(family).append("saddr @").append(PREFIX_SET)
                    .append(" tcp dport ").append(ports).append(" ct state new ")
                    .append(config.verdict().statement()).append('\n');
            }
            // 3. a block-by-default class: port 25 shut for the whole class (M3AAWG practice, OP25B)
            sb.append("add rule ").append(chain).append(family).append("saddr @policed").append(v)
                .append(" tcp dport ").append(ports).append(" ct state new ")
                .append(config.verdict().statement()).append('\n');
        }
    }

    /** Interval sets filled from the policy: block-by-default classes, exempt sources, exempt destinations. */
    static final List<String> POLICY_SETS = List.of("policed4", "policed6", "exempt4", "exempt6", "relays4", "relays6");

    /**
     * What the policy puts in {@link #POLICY_SETS} as of {@code now}: the networks of block-by-default classes
     * ({@code policed}), unexpired source exemptions ({@code exempt}) and destination exemptions such as the
     * ISP's relays ({@code relays}), each by family.
     */
    static Map<String, List<String>> policySets(final Policy policy, final Instant now)
    {
        final Map<String, List<String>> sets = new HashMap<>();
        POLICY_SETS.forEach(name -> sets.put(name, new ArrayList<>()));
        for (final HostClass hostClass : policy.classes())
        {
            if (hostClass.mode() == Port25Mode.BLOCK_BY_DEFAULT)
            {
                hostClass.networks().forEach(cidr -> sets.get(familySet("policed", cidr)).add(cidr.text()));
            }
        }
        for (final Exemption e : policy.exemptions().list())
        {
            if (!e.isExpired(now))
            {
                sets.get(familySet(e.kind() == Exemption.Kind.SOURCE ? "exempt" : "relays", e.network()))
                    .add(e.network().text());
            }
        }
        return sets;
    }

    private static String familySet(final String prefix, final Cidr cidr)
    {
        return prefix + (cidr.isIpv4() ? "4" : "6");
    }

    /**
     * One transaction replacing the policy sets' contents (flush and refill is atomic inside it).
     *
     * @param sets set name to CIDR texts, for every name in {@link #POLICY_SETS}
     */
    static String policy(final String table, final Map<String, List<String>> sets)
    {
        final StringBuilder sb = new StringBuilder(256);
        for (final String set : POLICY_SETS)
        {
            final String name = "inet " + table + " " + set;
            sb.append("flush set ").append(name).append('\n');
            final List<String> cidrs = sets.getOrDefault(set, List.of());
            if (!cidrs.isEmpty())
            {
                sb.append("add element ").append(name).append(" { ").append(String.join(", ", cidrs)).append(" }\n");
            }
        }
        return sb.toString();
    }

    /**
     * One transaction for a batch of element changes. Ops whose block has already expired are left out and
     * returned in {@code skipped}.
     */
    static String elements(final String table, final Collection<Op> ops, final Instant now, final List<Op> skipped)
    {
        final StringBuilder sb = new StringBuilder(128 + ops.size() * 96);
        for (final String setName : BLOCK_SETS)
        {
            final List<Op> family = new ArrayList<>();
            for (final Op op : ops)
            {
                if (!op.set().equals(setName))
                {
                    continue;
                }
                if (op.add() && op.expires() != null && !op.expires().isAfter(now))
                {
                    skipped.add(op);
                    continue;
                }
                family.add(op);
            }
            if (family.isEmpty())
            {
                continue;
            }
            final String set = "inet " + table + " " + setName;
            final StringJoiner placeholders = new StringJoiner(", ", "add element " + set + " { ", " }\n");
            final StringJoiner deletes = new StringJoiner(", ", "delete element " + set + " { ", " }\n");
            final StringJoiner adds = new StringJoiner(", ", "add element " + set + " { ", " }\n");
            adds.setEmptyValue("");
            for (final Op op : family)
            {
                placeholders.add(op.host() + " timeout 1s");
                deletes.add(op.host());
                if (op.add())
                {
                    adds.add(op.expires() == null ? op.host() : op.host() + " timeout " + timeout(Duration.between(now, op.expires())));
                }
            }
            sb.append(placeholders).append(deletes).append(adds);
        }
        return sb.toString();
    }

    /**
     * The remaining lifetime in nft's own units, largest first ({@code 7d}, {@code 2h3m}, {@code 1d3h46m39s996ms}),
     * rounded up to the millisecond so a block never ends early, and capped at {@link BlockLadder#MAX_BLOCK}.
     * nft 1.0.6 refuses a plain millisecond count from {@code 100000000ms} (27.7 h) up with "value too large",
     * so the shipped ladder's 7 d step written as milliseconds never reached the kernel.
     */
    static String timeout(final Duration remaining)
    {
        final Duration capped = remaining.compareTo(BlockLadder.MAX_BLOCK) > 0 ? BlockLadder.MAX_BLOCK : remaining;
        long millis = Math.max(1, capped.toMillis() + (capped.toNanosPart() % 1_000_000 == 0 ? 0 : 1));
        final StringBuilder sb = new StringBuilder(16);
        final long[] unitMillis = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        final String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++)
        {
            final long amount = millis / unitMillis[i];
            if (amount > 0)
            {
                sb.append(amount).append(units[i]);
                millis -= amount * unitMillis[i];
            }
        }
        return sb.toString();
    }

    static List<String> listSet(final NftablesConfig config, final String set)
    {
        final List<String> command = new ArrayList<>(config.nftCommand());
        command.addAll(List.of("-j", "list", "set", "inet", config.table(), set));
        return command;
    }
}
