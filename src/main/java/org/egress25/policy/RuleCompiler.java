package org.egress25.policy;

import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.egress25.host.Action;
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

    /** Detector and class names: they end up in decisions, metrics and file names, so keep them plain. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private static final List<String> DETECTOR_KEYS = List.of(
        "metric", "ports", "window", "threshold", "min-attempts", "action", "description");

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
        final List<HostClass> classes = new ClassSection(this, reader).classes(detectors, descriptions);
        final SmtpSection smtpSection = new SmtpSection(this, reader);
        final SmtpRules smtp = smtpSection.smtp();
        final SprtRules sprt = smtpSection.sprt();
        final OperationSection operations = new OperationSection(this, reader);
        final BlockLadder ladder = operations.blocking();
        final EnforcementRules enforcement = operations.enforcement();
        final OperationSection.Capture capture = operations.capture();
        final List<Exemption> exemptions = new ExemptionSection(this, reader, now).exemptions(classes);

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
            .smtpPorts(capture.smtpPorts())
            .synTimeout(capture.synTimeout())
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
            .setMaxAliasesForCollections(YamlLimits.MAX_ALIASES)
            .setCodePointLimit((int)PolicyLoader.MAX_FILE_BYTES)
            .build();
        try
        {
            final Problem tooMuch = YamlLimits.check(settings, text);
            if (tooMuch != null)
            {
                reader.add(tooMuch);
                return null;
            }
            final Node root = new Compose(settings).composeReader(new StringReader(text.text())).orElse(null);
            if (root == null)
            {
                // an editor saving in place (truncate, then write) leaves this for a moment: never an empty section
                reader.add(new Problem(text.name(), 0, 0, Problem.Severity.ERROR, "the file is empty (no YAML document);"
                    + " a rule file holds at least 'version: 1' (delete the file to drop its sections)"));
            }
            return root;
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

    Policy base()
    {
        return base;
    }

    boolean has(final String section)
    {
        return sections.containsKey(section);
    }

    /** A section's value node, or null when no file has it. */
    Node value(final String section)
    {
        final Section s = sections.get(section);
        return s == null ? null : s.value();
    }

    /** Ids of every declared rate detector, valid or not (so an override of a broken one is not "unknown"). */
    Set<String> detectorIds()
    {
        return detectorIds;
    }

    /** The metric of a declared detector, or null. */
    RateMetric detectorMetric(final String id)
    {
        return detectorMetrics.get(id);
    }

    /** The section's mapping, or null when it is absent (then {@code missing} decides) or broken. */
    Mapping section(final String name, final List<String> keys)
    {
        final Section section = sections.get(name);
        return section == null ? null : reader.mapping(section.value(), name, keys);
    }

    void missing(final String name)
    {
        if (strict)
        {
            reader.add(new Problem("rules", 0, 0, Problem.Severity.ERROR,
                "missing section '" + name + "' (the built-in rules must state every section)"));
        }
    }

    /** A field's value; when absent, the base value outside strict mode, else an error. */
    <T> T field(final Mapping m, final String key, final T fallback, final BiFunction<Node, String, T> read)
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

    static boolean anyNull(final Object... values)
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

    /**
     * The highest distinct-destinations threshold the estimator reads reliably. It counts bits of a 128-bit
     * bitmap, a lower bound that reads 70 for 100 true destinations and saturates towards 128 (WindowSlot has
     * the arithmetic): above 60 the reading lags the truth by a quarter or more, and above 127 it can never fire.
     */
    static final double DISTINCT_ESTIMATOR_RANGE = 60;

    Double threshold(final Node node, final String path, final RateMetric metric)
    {
        if (metric == RateMetric.FAILURE_RATIO)
        {
            return reader.number(node, path, 0, true, 1, false);
        }
        final Double value = reader.number(node, path, 0, false, 1e12, false);
        if (value != null && metric == RateMetric.DISTINCT_DESTINATIONS && value > DISTINCT_ESTIMATOR_RANGE)
        {
            reader.warning(node, path + ": " + RuleReader.format(value) + " distinct destinations lies beyond what"
                + " the distinct-count estimator reads (a 128-bit bitmap: it reads 70 for 100 true destinations and"
                + (value >= 128 ? " can never reach " + RuleReader.format(value) : " needs about "
                + Math.round(-128 * Math.log(1 - Math.min(value, 127) / 128.0)) + " true destinations to pass it")
                + "); keep it at " + RuleReader.format(DISTINCT_ESTIMATOR_RANGE) + " or below, or use an attempts rule");
        }
        return value;
    }

    Action action(final Node node, final String path)
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
    Action alertOnly(final Node node, final String path, final String why)
    {
        final Action action = action(node, path);
        if (action == Action.BLOCK)
        {
            reader.error(node, path + ": block is refused: " + why + "; use action: alert");
            return null;
        }
        return action;
    }
}
