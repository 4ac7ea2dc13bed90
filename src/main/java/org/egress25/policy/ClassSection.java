package org.egress25.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egress25.policy.RuleReader.Mapping;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The {@code classes:} section: named classes of inside networks, their port-25 mode, and per-class
 * threshold overrides resolved into each class's own detector list, so the packet path never merges
 * settings.
 */
final class ClassSection
{
    private static final List<String> CLASS_KEYS = List.of("mode", "networks", "thresholds", "description");

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
        if (mode == null || items == null || !ok || overrides == null)
        {
            return null;
        }
        final List<RateDetector> resolved = new ArrayList<>();
        for (final RateDetector detector : detectors)
        {
            final Double override = overrides.get(detector.id());
            resolved.add(override == null ? detector : detector.withThreshold(override));
        }
        return new HostClass(name, mode, blocks, resolved);
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
