package org.egress25.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egress25.host.Cidr;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed reads over composed YAML nodes that never throw: a bad value is recorded as a {@link Problem} at the
 * node's own line and column and the read returns null, so one pass reports every mistake in every file.
 *
 * <p>Values are typed by their text, not by YAML's implicit tags: a number must be written as a plain
 * number ({@code threshold: "20"} is refused, quotes mean text), a boolean is {@code true} or {@code false}
 * only ({@code yes}/{@code on} are refused rather than guessed at). Each node's file comes from its mark,
 * which the composer labels with the file's name.
 */
final class RuleReader
{
    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern NUMBER = Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");
    private static final Pattern DOTTED_QUAD = Pattern.compile(
        "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private final List<Problem> problems = new ArrayList<>();

    List<Problem> problems()
    {
        return problems;
    }

    boolean hasErrors()
    {
        for (final Problem problem : problems)
        {
            if (problem.isError())
            {
                return true;
            }
        }
        return false;
    }

    void error(final Node at, final String message)
    {
        add(at, Problem.Severity.ERROR, message);
    }

    void warning(final Node at, final String message)
    {
        add(at, Problem.Severity.WARNING, message);
    }

    void note(final Node at, final String message)
    {
        add(at, Problem.Severity.NOTE, message);
    }

    void add(final Problem problem)
    {
        problems.add(problem);
    }

    private void add(final Node at, final Problem.Severity severity, final String message)
    {
        final Mark mark = at.getStartMark().orElse(null);
        if (mark == null)
        {
            problems.add(new Problem("?", 0, 0, severity, message));
            return;
        }
        problems.add(new Problem(mark.getName(), mark.getLine() + 1, mark.getColumn() + 1, severity, message));
    }

    /** {@code file:line:column} of a node, for messages that point at a second place. */
    static String where(final Node node)
    {
        return node.getStartMark()
            .map(m -> m.getName() + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
            .orElse("?");
    }

    /** {@code file:line} of a node, for reports. */
    static String fileLine(final Node node)
    {
        return node.getStartMark().map(m -> m.getName() + ":" + (m.getLine() + 1)).orElse("?");
    }

    /**
     * A mapping with string keys. Unknown keys (when {@code allowed} is given) are reported with the nearest
     * allowed key as a suggestion; repeated keys are reported with the place of the first.
     */
    Mapping mapping(final Node node, final String path, final Collection<String> allowed)
    {
        if (!(node instanceof MappingNode))
        {
            error(node, path + ": expected a mapping of keys to values, got " + describe(node));
            return null;
        }
        final Map<String, NodeTuple> entries = new LinkedHashMap<>();
        final Set<String> suggested = new HashSet<>();
        for (final NodeTuple tuple : ((MappingNode)node).getValue())
        {
            final Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode) || isNull(keyNode))
            {
                error(keyNode, path + ": keys must be plain names, got " + describe(keyNode));
                continue;
            }
            final String key = ((ScalarNode)keyNode).getValue();
            final NodeTuple first = entries.get(key);
            if (first != null)
            {
                error(keyNode, path + ": key '" + key + "' is given twice (first at " + where(first.getKeyNode()) + ")");
                continue;
            }
            if (allowed != null && !allowed.contains(key))
            {
                error(keyNode, "unknown key '" + key + "' in " + path + suggestion(key, allowed));
                final String near = closest(key, allowed);
                if (near != null)
                {
                    suggested.add(near);
                }
                continue;
            }
            entries.put(key, tuple);
        }
        return new Mapping(this, node, path, entries, suggested);
    }

    List<Node> sequence(final Node node, final String path)
    {
        if (!(node instanceof SequenceNode))
        {
            error(node, path + ": expected a list, got " + describe(node));
            return null;
        }
        return ((SequenceNode)node).getValue();
    }

    /** A list with at least one item; {@code need} says what to list when it is empty. */
    List<Node> nonEmptySequence(final Node node, final String path, final String need)
    {
        final List<Node> items = sequence(node, path);
        if (items != null && items.isEmpty())
        {
            error(node, path + ": " + need);
            return null;
        }
        return items;
    }

    String text(final Node node, final String path)
    {
        if (!(node instanceof ScalarNode) || isNull(node))
        {
            error(node, path + ": expected text, got " + describe(node));
            return null;
        }
        final String value = ((ScalarNode)node).getValue().trim();
        if (value.isEmpty())
        {
            error(node, path + ": must not be empty");
            return null;
        }
        return value;
    }

    /** Plain scalar text, for values that must not be quoted (numbers, booleans, durations). */
    private String plain(final Node node, final String path, final String expected)
    {
        if (!(node instanceof ScalarNode) || isNull(node))
        {
            error(node, path + ": expected " + expected + ", got " + describe(node));
            return null;
        }
        final ScalarNode scalar = (ScalarNode)node;
        if (scalar.getScalarStyle() != ScalarStyle.PLAIN)
        {
            error(node, path + ": expected " + expected + ", got the quoted text \"" + clip(scalar.getValue())
                + "\" (drop the quotes)");
            return null;
        }
        return scalar.getValue();
    }

    Long integer(final Node node, final String path, final long min, final long max)
    {
        final String value = plain(node, path, "a whole number");
        if (value == null)
        {
            return null;
        }
        if (!INTEGER.matcher(value).matches())
        {
            error(node, path + ": expected a whole number, got '" + clip(value) + "'");
            return null;
        }
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.startsWith("+") ? value.substring(1) : value);
        }
        catch (final NumberFormatException e)
        {
            error(node, path + ": " + clip(value) + " is out of range " + min + ".." + max);
            return null;
        }
        if (parsed < min || parsed > max)
        {
            error(node, path + ": " + parsed + " is out of range " + min + ".." + max);
            return null;
        }
        return parsed;
    }

    /** A finite number between {@code min} and {@code max}; the {@code open} flags exclude the bound itself. */
    Double number(
        final Node node, final String path, final double min, final boolean openMin, final double max,
        final boolean openMax)
    {
        final String value = plain(node, path, "a number");
        if (value == null)
        {
            return null;
        }
        if (!NUMBER.matcher(value).matches())
        {
            error(node, path + ": expected a number, got '" + clip(value) + "'");
            return null;
        }
        final double parsed = Double.parseDouble(value);
        if (Double.isInfinite(parsed) || (openMin ? parsed <= min : parsed < min)
            || (openMax ? parsed >= max : parsed > max))
        {
            error(node, path + ": " + value + " is out of range " + (openMin ? "(" : "[") + format(min) + ", "
                + format(max) + (openMax ? ")" : "]"));
            return null;
        }
        return parsed;
    }

    Boolean bool(final Node node, final String path)
    {
        final String value = plain(node, path, "true or false");
        if (value == null)
        {
            return null;
        }
        if (!value.equals("true") && !value.equals("false"))
        {
            error(node, path + ": expected true or false, got '" + clip(value) + "'");
            return null;
        }
        return Boolean.valueOf(value);
    }

    /** A positive duration written as a number and a unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}. */
    Duration duration(final Node node, final String path)
    {
        final String value = plain(node, path, "a duration such as 30s, 5m, 1h or 7d");
        if (value == null)
        {
            return null;
        }
        final Matcher matcher = DURATION.matcher(value);
        if (!matcher.matches())
        {
            error(node, path + ": '" + clip(value) + "' is not a duration (a whole number and one of ms, s, m, h, d:"
                + " e.g. 30s, 5m, 1h, 7d)");
            return null;
        }
        final long amount = Long.parseLong(matcher.group(1));
        if (amount == 0)
        {
            error(node, path + ": a duration must be longer than zero");
            return null;
        }
        switch (matcher.group(2))
        {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                return Duration.ofDays(amount);
        }
    }

    /**
     * A network block. IPv4 must be a full dotted quad: the JDK would read {@code 10.1} as 10.0.0.1 and would
     * send {@code 10.1.2.300} (or {@code x::1}) to DNS as a host name, neither of which an operator means.
     */
    Cidr cidr(final Node node, final String path)
    {
        final String value = text(node, path);
        if (value == null)
        {
            return null;
        }
        final int slash = value.indexOf('/');
        final String address = slash < 0 ? value : value.substring(0, slash);
        if (address.indexOf(':') < 0 ? !DOTTED_QUAD.matcher(address).matches() : !IPV6_CHARS.matcher(address).matches())
        {
            error(node, path + ": '" + clip(value) + "' is not an IPv4 or IPv6 network (expected e.g. 10.0.0.0/8)");
            return null;
        }
        try
        {
            return Cidr.parse(value);
        }
        catch (final IllegalArgumentException e)
        {
            error(node, path + ": " + e.getMessage());
            return null;
        }
    }

    /** One of a fixed set of words, parsed by an enum's own {@code parse} (whose message lists the choices). */
    <T> T choice(final Node node, final String path, final Function<String, T> parser)
    {
        final String value = text(node, path);
        if (value == null)
        {
            return null;
        }
        try
        {
            return parser.apply(value);
        }
        catch (final IllegalArgumentException e)
        {
            error(node, path + ": " + e.getMessage());
            return null;
        }
    }

    /** A list of text values (e.g. blocklist zones). */
    List<String> texts(final Node node, final String path)
    {
        final List<Node> items = sequence(node, path);
        if (items == null)
        {
            return null;
        }
        final List<String> values = new ArrayList<>();
        boolean ok = true;
        for (final Node item : items)
        {
            final String value = text(item, path + "[]");
            ok &= value != null;
            values.add(value);
        }
        return ok ? values : null;
    }

    static boolean isNull(final Node node)
    {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag())
            && ((ScalarNode)node).getScalarStyle() == ScalarStyle.PLAIN;
    }

    static String describe(final Node node)
    {
        if (node instanceof MappingNode)
        {
            return "a mapping";
        }
        if (node instanceof SequenceNode)
        {
            return "a list";
        }
        if (isNull(node))
        {
            return "nothing";
        }
        return "'" + clip(((ScalarNode)node).getValue()) + "'";
    }

    /** {@code "; did you mean 'x'?"} when a known key is within a few edits of the unknown one, else the list. */
    static String suggestion(final String unknown, final Collection<String> known)
    {
        final String best = closest(unknown, known);
        if (best != null)
        {
            return "; did you mean '" + best + "'?";
        }
        return known.isEmpty() ? "" : " (known keys: " + String.join(", ", known) + ")";
    }

    /** The known word nearest the unknown one, when it is close enough to be a typo; else null. */
    static String closest(final String unknown, final Collection<String> known)
    {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : known)
        {
            final int distance = distance(unknown, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(2, unknown.length() / 3) ? best : null;
    }

    /** Levenshtein distance: insertions, deletions and substitutions each cost one. */
    static int distance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    static String format(final double value)
    {
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            return Long.toString((long)value);
        }
        // plain decimal (0.000001, not 1.0E-6), as an operator would write it in the rules
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String clip(final String text)
    {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    /** A mapping whose keys were checked; reads values by key and reports missing required keys. */
    static final class Mapping
    {
        private final RuleReader reader;
        private final Node node;
        private final String path;
        private final Map<String, NodeTuple> entries;
        private final Set<String> suggested;

        Mapping(
            final RuleReader reader, final Node node, final String path, final Map<String, NodeTuple> entries,
            final Set<String> suggested)
        {
            this.reader = reader;
            this.node = node;
            this.path = path;
            this.entries = entries;
            this.suggested = suggested;
        }

        Node node()
        {
            return node;
        }

        String path()
        {
            return path;
        }

        /** Path of a key inside this mapping, for messages: {@code detectors.port25-attempts-1m.window}. */
        String path(final String key)
        {
            return path + "." + key;
        }

        boolean has(final String key)
        {
            return entries.containsKey(key);
        }

        Iterable<String> keys()
        {
            return entries.keySet();
        }

        Node key(final String key)
        {
            final NodeTuple tuple = entries.get(key);
            return tuple == null ? null : tuple.getKeyNode();
        }

        /** The value, or null when absent. */
        Node get(final String key)
        {
            final NodeTuple tuple = entries.get(key);
            return tuple == null ? null : tuple.getValueNode();
        }

        /**
         * The value; when absent, an error at the mapping and null. No error when an unknown key was already
         * reported as a likely misspelling of this one: one mistake, one message.
         */
        Node required(final String key)
        {
            final Node value = get(key);
            if (value == null && !suggested.contains(key))
            {
                reader.error(node, path + ": missing required key '" + key + "'");
            }
            return value;
        }
    }
}
