package org.egress25.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egress25.host.Cidr;
import org.egress25.host.HostKey;
import org.egress25.policy.RuleReader.Mapping;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The {@code classes:} section: named classes of inside networks, their port-25 mode, and per-class
 * threshold overrides resolved into each class's own detector list, so the packet path never merges
 * settings.
 */
final class ClassSection
{
    private static final List<String> CLASS_KEYS = List.of("mode", "networks", "thresholds", "description",
        "ipv6-prefix");

    private final RuleCompiler rules;
    private final RuleReader reader;

    private record Network(Cidr cidr, String className, Node node)
    {
    }

    ClassSection(final RuleCompiler rules, final RuleReader reader)
    {
        this.rules = rules;
        this.reader = reader;
    }

    List<HostClass> classes(final List<RateDetector> detectors, final Map<String, String> descriptions)
    {
        final List<HostClass> classes = new ArrayList<>();
        final Mapping m = rules.section("classes", null);
        if (m == null)
        {
            return classes;
        }
        final List<Network> networks = new ArrayList<>();
        for (final String name : m.keys())
        {
            if (!RuleCompiler.NAME.matcher(name).matches() || name.equals(Policy.COMMAND_LINE_CLASS))
            {
                reader.error(m.key(name), "classes: '" + name + "' is not a usable class name (lower case letters,"
                    + " digits, '-', '.', '_'; '" + Policy.COMMAND_LINE_CLASS + "' is reserved for --inside)");
                continue;
            }
            final HostClass hostClass = hostClass(name, m.get(name), detectors, networks, descriptions);
            if (hostClass != null)
            {
                classes.add(hostClass);
            }
        }
        overlaps(networks);
        return classes;
    }

    private HostClass hostClass(
        final String name,
        final Node node,
        final List<RateDetector> detectors,
        final List<Network> networks,
        final Map<String, String> descriptions)
    {
        final String path = "classes." + name;
        final Mapping m = reader.mapping(node, path, CLASS_KEYS);
        if (m == null)
        {
            return null;
        }
        final Node modeNode = m.required("mode");
        final Port25Mode mode = modeNode == null ? null : reader.choice(modeNode, m.path("mode"), Port25Mode::parse);
        final List<Cidr> blocks = new ArrayList<>();
        boolean ok = true;
        final Node networksNode = m.required("networks");
        final List<Node> items = networksNode == null ? null
            : reader.nonEmptySequence(networksNode, m.path("networks"), "a class needs at least one network");
        if (items != null)
        {
            for (final Node item : items)
            {
                final Cidr cidr = reader.cidr(item, m.path("networks"));
                ok &= cidr != null;
                if (cidr != null)
                {
                    blocks.add(cidr);
                    networks.add(new Network(cidr, name, item));
                }
            }
        }
        final Map<String, Double> overrides = thresholds(m, path);
        if (m.has("description"))
        {
            final String description = reader.text(m.get("description"), m.path("description"));
            if (description != null)
            {
                descriptions.put(name, description);
            }
        }
        final Integer ipv6Prefix = ipv6Prefix(m, blocks);
        if (mode == null || items == null || !ok || overrides == null || ipv6Prefix == null)
        {
            return null;
        }
        final List<RateDetector> resolved = new ArrayList<>();
        for (final RateDetector detector : detectors)
        {
            final Double override = overrides.get(detector.id());
            resolved.add(override == null ? detector : detector.withThreshold(override));
        }
        return new HostClass(name, mode, blocks, resolved, ipv6Prefix);
    }

    /**
     * {@code ipv6-prefix}: 32 to 64, or 128 for addresses alone; null when wrong. Unset, 64, unless the class
     * has an IPv6 network longer than that (then each address alone). A prefix shorter than one of
     * the class's own IPv6 networks would lump in addresses of other classes or of no class: refused. Shorter
     * than /48, an ISP's usual assignment to one site (RFC 6177,
     * https://www.rfc-editor.org/rfc/rfc6177), it lumps several customers together: warned.
     */
    private Integer ipv6Prefix(final Mapping m, final List<Cidr> blocks)
    {
        if (!m.has("ipv6-prefix"))
        {
            for (final Cidr block : blocks)
            {
                if (!block.isIpv4() && block.bits() > HostClass.DEFAULT_IPV6_PREFIX)
                {
                    // a /128 or /120 of servers: a /64 around it is not the class's to judge
                    return HostClass.NO_IPV6_PREFIX;
                }
            }
            return HostClass.DEFAULT_IPV6_PREFIX;
        }
        final Node node = m.get("ipv6-prefix");
        final String path = m.path("ipv6-prefix");
        final Long bits = reader.integer(node, path, HostKey.MIN_PREFIX_BITS, HostClass.NO_IPV6_PREFIX);
        if (bits == null)
        {
            return null;
        }
        if (bits > HostKey.MAX_PREFIX_BITS && bits != HostClass.NO_IPV6_PREFIX)
        {
            reader.error(node, path + ": " + bits + " is not a prefix egress25 judges as one; use "
                + HostKey.MIN_PREFIX_BITS + " to " + HostKey.MAX_PREFIX_BITS + " (a /64 is one subscriber LAN,"
                + " RFC 7421), or " + HostClass.NO_IPV6_PREFIX + " to judge each address alone");
            return null;
        }
        for (final Cidr block : blocks)
        {
            if (!block.isIpv4() && bits != HostClass.NO_IPV6_PREFIX && bits < block.bits())
            {
                reader.error(node, path + ": /" + bits + " is wider than the class's network " + block
                    + "; a prefix judged as one must lie inside the class");
                return null;
            }
        }
        if (bits < 48)
        {
            reader.warning(node, path + ": /" + bits + " is wider than the /48 an ISP usually assigns to one site"
                + " (RFC 6177): one prefix decision may then block several customers");
        }
        return bits.intValue();
    }

    /** Per-class threshold overrides by detector id; null when any is wrong. */
    private Map<String, Double> thresholds(final Mapping m, final String path)
    {
        final Map<String, Double> overrides = new LinkedHashMap<>();
        if (!m.has("thresholds"))
        {
            return overrides;
        }
        final Mapping t = reader.mapping(m.get("thresholds"), path + ".thresholds", rules.detectorIds());
        if (t == null)
        {
            return null;
        }
        boolean ok = true;
        for (final String id : t.keys())
        {
            final RateMetric metric = rules.detectorMetric(id);
            final Double value = metric == null ? null : rules.threshold(t.get(id), t.path(id), metric);
            ok &= value != null;
            overrides.put(id, value);
        }
        return ok ? overrides : null;
    }

    /**
     * The same block in two classes is an error (which class would it be?); a block inside another class's
     * block is how an operator carves out a range, so it is allowed (longest prefix wins) and noted. A block
     * inside another block of the same class is redundant and warned about.
     */
    private void overlaps(final List<Network> networks)
    {
        for (int j = 0; j < networks.size(); j++)
        {
            final Network later = networks.get(j);
            for (int i = 0; i < j; i++)
            {
                final Network earlier = networks.get(i);
                if (!earlier.cidr().overlaps(later.cidr()))
                {
                    continue;
                }
                final boolean sameBlock = earlier.cidr().bits() == later.cidr().bits();
                final boolean sameClass = earlier.className().equals(later.className());
                if (sameBlock)
                {
                    reader.error(later.node(), "classes." + later.className() + ".networks: " + later.cidr()
                        + " is already listed in class '" + earlier.className() + "' at "
                        + RuleReader.where(earlier.node()) + "; a block can belong to one class only");
                }
                else
                {
                    final Network inner = earlier.cidr().bits() > later.cidr().bits() ? earlier : later;
                    final Network outer = inner == earlier ? later : earlier;
                    if (sameClass)
                    {
                        // at the redundant (inner) block, which may be listed before the one containing it
                        reader.warning(inner.node(), "classes." + inner.className() + ".networks: " + inner.cidr()
                            + " lies inside " + outer.cidr() + " of the same class (" + RuleReader.where(outer.node())
                            + "); it is redundant");
                    }
                    else
                    {
                        reader.note(inner.node(), "classes." + inner.className() + ".networks: " + inner.cidr()
                            + " (class " + inner.className() + ") lies inside " + outer.cidr() + " (class "
                            + outer.className() + ", " + RuleReader.where(outer.node()) + "); the longer prefix wins,"
                            + " so its addresses are " + inner.className());
                    }
                }
            }
        }
    }
}
