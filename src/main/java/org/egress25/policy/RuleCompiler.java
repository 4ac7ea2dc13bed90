package org.egress25.policy;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.egress25.decision.Action;
import org.egress25.policy.RuleReader.Mapping;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Turns rule texts into a {@link Policy}, or into the complete list of what is wrong with them.
 *
 * <p>Each file is composed into nodes (keeping every value's line and column), its top-level sections are
 * merged with the other files' (a section in two files is an error naming both), and each section is read
 * strictly. Reading never stops at the first mistake: it goes on to the end so the operator sees them all.
 *
 * <p>A section left out takes its value from {@code base} (the built-in rules), and so does a field left out
 * of {@code smtp:}, {@code sprt:}, {@code blocking:}, {@code capture:} and {@code enforcement:}. The
 * built-in rules themselves are read with no base: there every section and field is required, so the shipped
 * files state, and document, every default.
 */
final class RuleCompiler
{
    static final List<String> SECTIONS = List.of(
        "version", "classes", "detectors", "smtp", "sprt", "blocking", "enforcement", "capture", "exemptions");

    /** Why a block on a submission port is refused, quoted wherever the rules ask for one. */
    static final String SUBMISSION_REASON = "submission ports (587, 465, 2525) are never blocked on port alone: "
        + "RFC 5068 asks providers to leave submission open to their users, RFC 6409 makes 587 the authenticated "
        + "submission port and RFC 8314 does the same for implicit TLS on 465";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern NFT_TABLE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final Set<Integer> SUBMISSION_PORTS = Set.of(465, 587, 2525);
    private static final List<String> DETECTOR_KEYS = List.of(
        "metric", "ports", "window", "threshold", "min-attempts", "action", "description");
    private static final List<String> CLASS_KEYS = List.of("mode", "networks", "thresholds", "description");
    private static final List<String> EXEMPTION_KEYS = List.of("source", "destination", "expires", "ticket", "comment");

    private final RuleReader reader = new RuleReader();
    private final Policy base;
    private final boolean strict;
    private final Instant now;
    private final Map<String, Section> sections = new LinkedHashMap<>();
    private final Set<String> detectorIds = new LinkedHashSet<>();
    private final Map<String, RateMetric> detectorMetrics = new LinkedHashMap<>();

    /** A text to compile: {@code name} is how problems name it, {@code text} its content. */
    record RuleText(String name, String text)
    {
    }

    private record Section(String name, Node key, Node value)
    {
    }

    private record Network(Cidr cidr, String className, Node node)
    {
    }

    /**
     * @param base the built-in policy supplying what the texts leave out, or null to require everything
     * @param now  wall-clock time, only to warn about exemptions that have already expired
     */
    RuleCompiler(final Policy base, final Instant now)
    {
        this.base = base != null ? base : Policy.builder().build();
        this.strict = base == null;
        this.now = now;
    }

    Policy compile(final List<RuleText> texts, final String description, final String hash) throws PolicyException
    {
        boolean versionSeen = false;
        boolean syntaxOk = true;
        for (final RuleText text : texts)
        {
            final Node root = compose(text);
            if (root == null)
            {
                syntaxOk &= !reader.hasErrors();
                continue;
            }
            final Mapping top = reader.mapping(root, "the top level of " + text.name(), SECTIONS);
            if (top == null)
            {
                continue;
            }
            for (final String key : top.keys())
            {
                if (key.equals("version"))
                {
                    versionSeen = true;
                    final Long version = reader.integer(top.get(key), "version", 1, Long.MAX_VALUE);
                    if (version != null && version != 1)
                    {
                        reader.error(top.get(key), "version: this egress25 reads rule files of version 1, not " + version);
                    }
                    continue;
                }
                final Section earlier = sections.get(key);
                if (earlier != null)
                {
                    reader.error(top.key(key), "section '" + key + "' is already defined at "
                        + RuleReader.where(earlier.key()) + "; a section may appear in one file only");
                    continue;
                }
                sections.put(key, new Section(key, top.key(key), top.get(key)));
            }
        }
        if (!versionSeen && syntaxOk && !texts.isEmpty())
        {
            reader.add(new Problem(texts.get(0).name(), 0, 0, Problem.Severity.ERROR,
                "missing 'version: 1' (say which rule language the files are written in)"));
        }

        final List<RateDetector> detectors = detectors();
        final Map<String, String> descriptions = new LinkedHashMap<>();
        final List<HostClass> classes = classes(detectors, descriptions);
        final SmtpRules smtp = smtp();
        final SprtRules sprt = sprt();
        final BlockLadder ladder = blocking();
        final EnforcementRules enforcement = enforcement();
        final Object[] capture = capture();
        final List<Exemption> exemptions = exemptions(classes);

        // errors first, each group in file order, as an editor would walk them
        final List<Problem> problems = new ArrayList<>(reader.problems());
        problems.sort(Comparator.comparing((Problem p) -> !p.isError())
            .thenComparing(Problem::file)
            .thenComparingInt(Problem::line)
            .thenComparingInt(Problem::column));
        if (reader.hasErrors())
        {
            throw new PolicyException(problems);
        }
        return Policy.builder()
            .classes(classes)
            .defaultDetectors(detectors)
            .smtpPorts((int[])capture[0])
            .synTimeout((Duration)capture[1])
            .ladder(ladder)
            .smtp(smtp)
            .sprt(sprt)
            .enforcement(enforcement)
            .exemptions(new Exemptions(exemptions))
            .descriptions(descriptions)
            .notes(problems)
            .sourceDescription(description)
            .hash(hash)
            .build();
    }

    private Node compose(final RuleText text)
    {
        final LoadSettings settings = LoadSettings.builder()
            .setLabel(text.name())
            .setAllowDuplicateKeys(true) // reported by RuleReader.mapping with both places
            .setMaxAliasesForCollections(50)
            .setCodePointLimit(8 * 1024 * 1024)
            .build();
        try
        {
            return new Compose(settings).composeReader(new StringReader(text.text())).orElse(null);
        }
        catch (final MarkedYamlEngineException e)
        {
            final Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
            final String message = "YAML syntax: " + (e.getProblem() == null ? e.getMessage() : e.getProblem())
                + (e.getContext() == null ? "" : " (" + e.getContext() + ")");
            reader.add(mark == null
                ? new Problem(text.name(), 0, 0, Problem.Severity.ERROR, message)
                : new Problem(text.name(), mark.getLine() + 1, mark.getColumn() + 1, Problem.Severity.ERROR, message));
            return null;
        }
        catch (final YamlEngineException e)
        {
            reader.add(new Problem(text.name(), 0, 0, Problem.Severity.ERROR, "YAML: " + e.getMessage()));
            return null;
        }
    }

    /** The section's mapping, or null when it is absent (then {@code missing} decides) or broken. */
    private Mapping section(final String name, final List<String> keys)
    {
        final Section section = sections.get(name);
        return section == null ? null : reader.mapping(section.value(), name, keys);
    }

    private void missing(final String name)
    {
        if (strict)
        {
            reader.add(new Problem("rules", 0, 0, Problem.Severity.ERROR,
                "missing section '" + name + "' (the built-in rules must state every section)"));
        }
    }

    /** A field's value; when absent, the base value outside strict mode, else an error. */
    private <T> T field(final Mapping m, final String key, final T fallback, final BiFunction<Node, String, T> read)
    {
        final Node node = m.get(key);
        if (node == null)
        {
            if (!strict)
            {
                return fallback;
            }
            m.required(key);
            return null;
        }
        return read.apply(node, m.path(key));
    }

    private static boolean anyNull(final Object... values)
    {
        for (final Object value : values)
        {
            if (value == null)
            {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- detectors

    private List<RateDetector> detectors()
    {
        if (!sections.containsKey("detectors"))
        {
            missing("detectors");
            for (final RateDetector detector : base.defaultDetectors())
            {
                detectorIds.add(detector.id());
                detectorMetrics.put(detector.id(), detector.metric());
            }
            return base.defaultDetectors();
        }
        final Mapping m = section("detectors", null);
        final List<RateDetector> detectors = new ArrayList<>();
        if (m == null)
        {
            return detectors;
        }
        for (final String id : m.keys())
        {
            if (!NAME.matcher(id).matches())
            {
                reader.error(m.key(id), "detectors: '" + id + "' is not a valid detector id (lower case letters,"
                    + " digits, '-', '.', '_'; it is the decision's rule name)");
                continue;
            }
            detectorIds.add(id);
            final RateDetector detector = detector(id, m.get(id));
            if (detector != null)
            {
                detectors.add(detector);
            }
        }
        return detectors;
    }

    private RateDetector detector(final String id, final Node node)
    {
        final String path = "detectors." + id;
        final Mapping m = reader.mapping(node, path, DETECTOR_KEYS);
        if (m == null)
        {
            return null;
        }
        final Node metricNode = m.required("metric");
        final RateMetric metric = metricNode == null ? null : reader.choice(metricNode, m.path("metric"), RateMetric::parse);
        if (metric != null)
        {
            detectorMetrics.put(id, metric);
        }
        final Node portsNode = m.required("ports");
        final PortGroup ports = portsNode == null ? null : reader.choice(portsNode, m.path("ports"), PortGroup::parse);
        Duration window = null;
        if (metric == RateMetric.CONCURRENT)
        {
            if (m.has("window"))
            {
                reader.error(m.key("window"), m.path("window") + ": concurrent-connections counts connections open"
                    + " now and has no window; remove it");
            }
            window = Duration.ZERO;
        }
        else if (m.required("window") != null)
        {
            window = reader.duration(m.get("window"), m.path("window"));
        }
        final Node thresholdNode = m.required("threshold");
        final Double threshold = thresholdNode == null || metric == null ? null
            : threshold(thresholdNode, m.path("threshold"), metric);
        Long minAttempts = 0L;
        if (metric == RateMetric.FAILURE_RATIO)
        {
            minAttempts = m.has("min-attempts") ? reader.integer(m.get("min-attempts"), m.path("min-attempts"), 1, 1_000_000)
                : null;
            if (!m.has("min-attempts"))
            {
                reader.error(m.node(), path + ": missing required key 'min-attempts' (a ratio over a handful of"
                    + " attempts is noise; e.g. 20)");
            }
        }
        else if (m.has("min-attempts") && metric != null)
        {
            reader.error(m.key("min-attempts"), m.path("min-attempts") + ": only failure-ratio detectors take"
                + " min-attempts");
        }
        final Node actionNode = m.required("action");
        final Action action = actionNode == null ? null : action(actionNode, m.path("action"));
        if (action == Action.BLOCK && ports != null && ports != PortGroup.RELAY)
        {
            reader.error(actionNode, m.path("action") + ": block is refused for ports: " + ports.text() + "; "
                + SUBMISSION_REASON + ". Use action: alert, or ports: relay");
            return null;
        }
        if (m.has("description"))
        {
            reader.text(m.get("description"), m.path("description"));
        }
        if (anyNull(metric, ports, window, threshold, minAttempts, action))
        {
            return null;
        }
        return new RateDetector(id, metric, ports, window, threshold, minAttempts, action);
    }

    private Double threshold(final Node node, final String path, final RateMetric metric)
    {
        return metric == RateMetric.FAILURE_RATIO
            ? reader.number(node, path, 0, true, 1, false)
            : reader.number(node, path, 0, false, 1e12, false);
    }

    private Action action(final Node node, final String path)
    {
        return reader.choice(node, path, text ->
        {
            switch (text)
            {
                case "alert":
                    return Action.ALERT;
                case "block":
                    return Action.BLOCK;
                default:
                    throw new IllegalArgumentException("'" + text + "' is not an action (alert, block)");
            }
        });
    }

    /** An action that must not be block, with the reason why. */
    private Action alertOnly(final Node node, final String path, final String why)
    {
        final Action action = action(node, path);
        if (action == Action.BLOCK)
        {
            reader.error(node, path + ": block is refused: " + why + "; use action: alert");
            return null;
        }
        return action;
    }

    // ---------------------------------------------------------------- classes

    private List<HostClass> classes(final List<RateDetector> detectors, final Map<String, String> descriptions)
    {
        final List<HostClass> classes = new ArrayList<>();
        final Mapping m = section("classes", null);
        if (m == null)
        {
            return classes;
        }
        final List<Network> networks = new ArrayList<>();
        for (final String name : m.keys())
        {
            if (!NAME.matcher(name).matches() || name.equals(Policy.COMMAND_LINE_CLASS))
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
        final Mapping t = reader.mapping(m.get("thresholds"), path + ".thresholds", detectorIds);
        if (t == null)
        {
            return null;
        }
        boolean ok = true;
        for (final String id : t.keys())
        {
            final RateMetric metric = detectorMetrics.get(id);
            final Double value = metric == null ? null : threshold(t.get(id), t.path(id), metric);
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
                        reader.warning(later.node(), "classes." + later.className() + ".networks: " + inner.cidr()
                            + " lies inside " + outer.cidr() + " of the same class (" + RuleReader.where(outer.node())
                            + "); it is redundant");
                    }
                    else
                    {
                        reader.note(later.node(), "classes." + later.className() + ".networks: " + inner.cidr()
                            + " (class " + inner.className() + ") lies inside " + outer.cidr() + " (class "
                            + outer.className() + ", " + RuleReader.where(outer.node()) + "); the longer prefix wins,"
                            + " so its addresses are " + inner.className());
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- smtp and sprt

    private SmtpRules smtp()
    {
        final SmtpRules b = base.smtp();
        final Mapping m = section("smtp",
            List.of("blocklist", "rejection", "helo", "recipients", "harvest", "auth", "aborted"));
        if (m == null)
        {
            if (!sections.containsKey("smtp"))
            {
                missing("smtp");
            }
            return b;
        }
        final SmtpRules.Blocklist blocklist = sub(m, "blocklist", b.blocklist(), List.of("zones", "action"), s ->
        {
            final List<String> zones = field(s, "zones", b.blocklist().zones(), reader::texts);
            if (zones != null && zones.isEmpty())
            {
                reader.error(s.get("zones"), s.path("zones") + ": list at least one blocklist name");
                return null;
            }
            final Action action = field(s, "action", b.blocklist().action(), this::action);
            return anyNull(zones, action) ? null : new SmtpRules.Blocklist(b.blocklist().id(), zones, action);
        });
        final SmtpRules.Rejection rejection = sub(m, "rejection", b.rejection(),
            List.of("share", "min-sessions", "window", "action"), s ->
            {
                final Double share = field(s, "share", b.rejection().share(), this::share);
                final Long minSessions = field(s, "min-sessions", (long)b.rejection().minSessions(), this::count);
                final Duration window = field(s, "window", b.rejection().window(), reader::duration);
                final Action action = field(s, "action", b.rejection().action(), this::action);
                return anyNull(share, minSessions, window, action) ? null
                    : new SmtpRules.Rejection(b.rejection().id(), share, minSessions.intValue(), window, action);
            });
        final SmtpRules.Helo helo = sub(m, "helo", b.helo(),
            List.of("max-distinct-names", "window", "provider-domains", "action"), s ->
            {
                final Long names = field(s, "max-distinct-names", (long)b.helo().maxDistinctNames(), this::count);
                final Duration window = field(s, "window", b.helo().window(), reader::duration);
                final List<String> domains = field(s, "provider-domains", b.helo().providerDomains(), reader::texts);
                final Action action = field(s, "action", b.helo().action(), (n, p) -> alertOnly(n, p,
                    "HELO oddities alone never block (a misconfigured but honest MTA looks the same)"));
                return anyNull(names, window, domains, action) ? null
                    : new SmtpRules.Helo(b.helo().id(), names.intValue(), window, domains, action);
            });
        final SmtpRules.Recipients recipients = sub(m, "recipients", b.recipients(),
            List.of("max-recipients", "max-domains", "window", "action"), s ->
            {
                final Long max = field(s, "max-recipients", (long)b.recipients().maxRecipients(), this::count);
                final Long domains = field(s, "max-domains", (long)b.recipients().maxDomains(), this::count);
                final Duration window = field(s, "window", b.recipients().window(), reader::duration);
                final Action action = field(s, "action", b.recipients().action(), this::action);
                return anyNull(max, domains, window, action) ? null
                    : new SmtpRules.Recipients(b.recipients().id(), max.intValue(), domains.intValue(), window, action);
            });
        final SmtpRules.Harvest harvest = sub(m, "harvest", b.harvest(),
            List.of("min-recipients", "reject-share", "action"), s ->
            {
                final Long min = field(s, "min-recipients", (long)b.harvest().minRecipients(), this::count);
                final Double share = field(s, "reject-share", b.harvest().rejectShare(), this::share);
                final Action action = field(s, "action", b.harvest().action(), this::action);
                return anyNull(min, share, action) ? null
                    : new SmtpRules.Harvest(b.harvest().id(), min.intValue(), share, action);
            });
        final SmtpRules.Auth auth = sub(m, "auth", b.auth(), List.of("max-failures", "window", "action"), s ->
        {
            final Long max = field(s, "max-failures", (long)b.auth().maxFailures(), this::count);
            final Duration window = field(s, "window", b.auth().window(), reader::duration);
            final Action action = field(s, "action", b.auth().action(), (n, p) -> alertOnly(n, p,
                "AUTH happens on submission ports, and " + SUBMISSION_REASON));
            return anyNull(max, window, action) ? null : new SmtpRules.Auth(b.auth().id(), max.intValue(), window, action);
        });
        final SmtpRules.Aborted aborted = sub(m, "aborted", b.aborted(),
            List.of("share", "min-sessions", "window", "action"), s ->
            {
                final Double share = field(s, "share", b.aborted().share(), this::share);
                final Long minSessions = field(s, "min-sessions", (long)b.aborted().minSessions(), this::count);
                final Duration window = field(s, "window", b.aborted().window(), reader::duration);
                final Action action = field(s, "action", b.aborted().action(), this::action);
                return anyNull(share, minSessions, window, action) ? null
                    : new SmtpRules.Aborted(b.aborted().id(), share, minSessions.intValue(), window, action);
            });
        return anyNull(blocklist, rejection, helo, recipients, harvest, auth, aborted) ? null
            : new SmtpRules(blocklist, rejection, helo, recipients, harvest, auth, aborted);
    }

    /** A sub-mapping of a section: read when present, the base value when absent (outside strict mode). */
    private <T> T sub(
        final Mapping m, final String key, final T fallback, final List<String> keys,
        final Function<Mapping, T> read)
    {
        return field(m, key, fallback, (node, path) ->
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

    private SprtRules sprt()
    {
        final SprtRules b = base.sprt();
        final Mapping m = section("sprt", List.of("alpha", "beta", "theta0", "theta1", "idle-reset"));
        if (m == null)
        {
            if (!sections.containsKey("sprt"))
            {
                missing("sprt");
            }
            return b;
        }
        final BiFunction<Node, String, Double> errorRate = (n, p) -> reader.number(n, p, 0, true, 0.5, true);
        final BiFunction<Node, String, Double> probability = (n, p) -> reader.number(n, p, 0, true, 1, true);
        final Double alpha = field(m, "alpha", b.alpha(), errorRate);
        final Double beta = field(m, "beta", b.beta(), errorRate);
        final Double theta0 = field(m, "theta0", b.theta0(), probability);
        final Double theta1 = field(m, "theta1", b.theta1(), probability);
        final Duration idle = field(m, "idle-reset", b.idleReset(), reader::duration);
        if (theta0 != null && theta1 != null && theta0 >= theta1)
        {
            reader.error(m.has("theta1") ? m.get("theta1") : m.node(), "sprt.theta1: must be greater than theta0 ("
                + RuleReader.format(theta1) + " <= " + RuleReader.format(theta0) + "): a spambot's observations"
                + " are bad more often than a clean host's");
            return null;
        }
        return anyNull(alpha, beta, theta0, theta1, idle) ? null : new SprtRules(b.id(), alpha, beta, theta0, theta1, idle);
    }

    // ---------------------------------------------------------------- blocking, enforcement, capture

    private BlockLadder blocking()
    {
        final BlockLadder b = base.ladder();
        final Mapping m = section("blocking", List.of("ladder", "memory"));
        if (m == null)
        {
            if (!sections.containsKey("blocking"))
            {
                missing("blocking");
            }
            return b;
        }
        final List<Duration> steps = field(m, "ladder", b.steps(), (node, path) ->
        {
            final List<Node> items = reader.nonEmptySequence(node, path, "the ladder needs at least one step");
            if (items == null)
            {
                return null;
            }
            final List<Duration> durations = new ArrayList<>();
            boolean ok = true;
            for (final Node item : items)
            {
                final Duration step = reader.duration(item, path);
                ok &= step != null;
                if (step != null && !durations.isEmpty() && step.compareTo(durations.get(durations.size() - 1)) < 0)
                {
                    reader.warning(item, path + ": this step is shorter than the one before; a repeat offender"
                        + " is normally blocked for longer, not shorter");
                }
                if (step != null)
                {
                    durations.add(step);
                }
            }
            return ok ? durations : null;
        });
        final Duration memory = field(m, "memory", b.memory(), reader::duration);
        return anyNull(steps, memory) ? null : new BlockLadder(steps, memory);
    }

    private EnforcementRules enforcement()
    {
        final EnforcementRules b = base.enforcement();
        final Mapping m = section("enforcement",
            List.of("enforcer", "ports", "verdict", "table", "output-chain", "exec"));
        if (m == null)
        {
            if (!sections.containsKey("enforcement"))
            {
                missing("enforcement");
            }
            return b;
        }
        final String enforcer = field(m, "enforcer", b.enforcer(),
            (n, p) -> word(n, p, List.of("none", "nftables", "exec")));
        final List<Integer> ports = field(m, "ports", b.ports(), this::enforcedPorts);
        final String verdict = field(m, "verdict", b.verdict(), (n, p) -> word(n, p, List.of("drop", "reject")));
        final String table = field(m, "table", b.table(), (n, p) ->
        {
            final String text = reader.text(n, p);
            if (text != null && !NFT_TABLE.matcher(text).matches())
            {
                reader.error(n, p + ": '" + text + "' is not an nftables table name (a letter, then letters, digits,"
                    + " '-' or '_')");
                return null;
            }
            return text;
        });
        final Boolean outputChain = field(m, "output-chain", b.outputChain(), reader::bool);
        List<String> command = b.execCommand();
        Duration timeout = b.execTimeout();
        if (m.has("exec"))
        {
            final Mapping exec = reader.mapping(m.get("exec"), m.path("exec"), List.of("command", "timeout"));
            if (exec != null)
            {
                final Node commandNode = exec.required("command");
                command = commandNode == null ? null : reader.texts(commandNode, exec.path("command"));
                if (command != null && command.isEmpty())
                {
                    reader.error(commandNode, exec.path("command") + ": give the program and its arguments");
                    command = null;
                }
                timeout = exec.has("timeout") ? reader.duration(exec.get("timeout"), exec.path("timeout")) : timeout;
            }
            else
            {
                command = null;
            }
            if ("none".equals(enforcer) || "nftables".equals(enforcer))
            {
                reader.warning(m.key("exec"), m.path("exec") + ": unused while enforcer is " + enforcer);
            }
        }
        else if ("exec".equals(enforcer))
        {
            reader.error(m.get("enforcer"), m.path("enforcer") + ": exec needs an 'exec: {command: [...]}' entry");
            return null;
        }
        if (anyNull(enforcer, ports, verdict, table, outputChain, command, timeout))
        {
            return null;
        }
        return new EnforcementRules(enforcer, ports, verdict, table, outputChain, command, timeout);
    }

    private List<Integer> enforcedPorts(final Node node, final String path)
    {
        final List<Integer> ports = ports(node, path);
        if (ports == null)
        {
            return null;
        }
        final List<Node> items = reader.sequence(node, path);
        for (int i = 0; i < ports.size(); i++)
        {
            if (SUBMISSION_PORTS.contains(ports.get(i)))
            {
                reader.error(items.get(i), path + ": port " + ports.get(i) + " is refused; " + SUBMISSION_REASON);
                return null;
            }
        }
        return ports;
    }

    /** A non-empty list of distinct TCP ports. */
    private List<Integer> ports(final Node node, final String path)
    {
        final List<Node> items = reader.nonEmptySequence(node, path, "list at least one port");
        if (items == null)
        {
            return null;
        }
        final List<Integer> ports = new ArrayList<>();
        final Set<Long> seen = new HashSet<>();
        for (final Node item : items)
        {
            final Long port = reader.integer(item, path, 1, 65_535);
            if (port == null)
            {
                return null;
            }
            if (!seen.add(port))
            {
                reader.error(item, path + ": port " + port + " is listed twice");
                return null;
            }
            ports.add(port.intValue());
        }
        return ports;
    }

    private String word(final Node node, final String path, final List<String> words)
    {
        final String text = reader.text(node, path);
        if (text != null && !words.contains(text))
        {
            final String near = RuleReader.closest(text, words);
            reader.error(node, path + ": '" + text + "' is not one of " + String.join(", ", words)
                + (near == null ? "" : "; did you mean '" + near + "'?"));
            return null;
        }
        return text;
    }

    /** {smtp ports as int[], syn timeout}. */
    private Object[] capture()
    {
        final Mapping m = section("capture", List.of("smtp-ports", "syn-timeout"));
        final int[] basePorts = base.smtpPorts();
        if (m == null)
        {
            if (!sections.containsKey("capture"))
            {
                missing("capture");
            }
            return new Object[] {basePorts, base.synTimeout()};
        }
        final List<Integer> baseList = new ArrayList<>();
        for (final int port : basePorts)
        {
            baseList.add(port);
        }
        final List<Integer> ports = field(m, "smtp-ports", baseList, this::ports);
        final Duration synTimeout = field(m, "syn-timeout", base.synTimeout(), reader::duration);
        if (ports != null && !ports.contains(25))
        {
            reader.warning(m.has("smtp-ports") ? m.get("smtp-ports") : m.node(),
                "capture.smtp-ports: port 25 is not analysed, so no relay detector can fire");
        }
        final int[] array = ports == null ? basePorts : ports.stream().mapToInt(Integer::intValue).toArray();
        return new Object[] {array, synTimeout == null ? base.synTimeout() : synTimeout};
    }

    // ---------------------------------------------------------------- exemptions

    private List<Exemption> exemptions(final List<HostClass> classes)
    {
        final List<Exemption> exemptions = new ArrayList<>();
        final Section section = sections.get("exemptions");
        if (section == null)
        {
            return exemptions;
        }
        final List<Node> items = reader.sequence(section.value(), "exemptions");
        if (items == null)
        {
            return exemptions;
        }
        for (int i = 0; i < items.size(); i++)
        {
            final Exemption exemption = exemption(items.get(i), "exemptions[" + i + "]", classes);
            if (exemption != null)
            {
                exemptions.add(exemption);
            }
        }
        return exemptions;
    }

    private Exemption exemption(final Node node, final String path, final List<HostClass> classes)
    {
        final Mapping m = reader.mapping(node, path, EXEMPTION_KEYS);
        if (m == null)
        {
            return null;
        }
        if (m.has("source") == m.has("destination"))
        {
            reader.error(node, path + ": give exactly one of 'source' (an inside host or network that may send"
                + " on port 25) or 'destination' (a server talking to which never counts)");
            return null;
        }
        final Exemption.Kind kind = m.has("source") ? Exemption.Kind.SOURCE : Exemption.Kind.DESTINATION;
        final String key = kind == Exemption.Kind.SOURCE ? "source" : "destination";
        final Cidr network = reader.cidr(m.get(key), m.path(key));
        final Instant expires = m.has("expires") ? expiry(m.get("expires"), m.path("expires")) : null;
        final String ticket = m.has("ticket") ? reader.text(m.get("ticket"), m.path("ticket")) : null;
        final String comment = m.has("comment") ? reader.text(m.get("comment"), m.path("comment")) : null;
        if (network == null || (m.has("expires") && expires == null) || (m.has("ticket") && ticket == null)
            || (m.has("comment") && comment == null))
        {
            return null;
        }
        final Exemption exemption = new Exemption(kind, network, expires, ticket, comment, RuleReader.fileLine(node));
        final String label = key + " " + network + (ticket == null ? "" : " (ticket " + ticket + ")");
        if (exemption.isExpired(now))
        {
            reader.warning(m.get("expires"), path + ": the exemption for " + label + " expired at " + expires
                + " and no longer applies; remove it or extend it");
        }
        if (kind == Exemption.Kind.SOURCE && !insideAnyClass(network, classes))
        {
            reader.note(m.get(key), path + ": " + network + " is in no class here, so it is only inside when"
                + " --inside names it");
        }
        return exemption;
    }

    /**
     * {@code 2027-01-31} (the exemption applies until 00:00 UTC that day, so write the day after the last
     * exempt day) or an ISO-8601 instant with offset ({@code 2027-01-31T18:00:00Z}).
     */
    private Instant expiry(final Node node, final String path)
    {
        final String text = reader.text(node, path);
        if (text == null)
        {
            return null;
        }
        try
        {
            if (text.length() == 10)
            {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(text).toInstant();
        }
        catch (final DateTimeParseException e)
        {
            reader.error(node, path + ": '" + text + "' is not a date (2027-01-31) or an instant"
                + " (2027-01-31T18:00:00Z)");
            return null;
        }
    }

    private static boolean insideAnyClass(final Cidr network, final List<HostClass> classes)
    {
        for (final HostClass hostClass : classes)
        {
            for (final Cidr cidr : hostClass.networks())
            {
                if (cidr.bits() <= network.bits() && cidr.contains(network.hi(), network.lo()))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
