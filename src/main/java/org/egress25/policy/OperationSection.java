package org.egress25.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.egress25.policy.RuleReader.Mapping;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The operational sections: {@code blocking:} (the escalation ladder), {@code enforcement:} (how blocks
 * reach the network) and {@code capture:} (which ports are analysed, the SYN timeout).
 */
final class OperationSection
{
    private static final Pattern NFT_TABLE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final Set<Integer> SUBMISSION_PORTS = Set.of(465, 587, 2525);

    private final RuleCompiler rules;
    private final RuleReader reader;

    /** The {@code capture:} settings. */
    record Capture(int[] smtpPorts, Duration synTimeout)
    {
    }

    OperationSection(final RuleCompiler rules, final RuleReader reader)
    {
        this.rules = rules;
        this.reader = reader;
    }

    BlockLadder blocking()
    {
        final BlockLadder b = rules.base().ladder();
        final Mapping m = rules.section("blocking", List.of("ladder", "memory"));
        if (m == null)
        {
            if (!rules.has("blocking"))
            {
                rules.missing("blocking");
            }
            return b;
        }
        final List<Duration> steps = rules.field(m, "ladder", b.steps(), (node, path) ->
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
                Duration step = reader.duration(item, path);
                if (step != null && step.compareTo(BlockLadder.MAX_BLOCK) > 0)
                {
                    reader.error(item, path + ": " + Durations.text(step) + " is longer than the kernel can hold a block ("
                        + Durations.text(BlockLadder.MAX_BLOCK) + ")");
                    step = null;
                }
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
        final Duration memory = rules.field(m, "memory", b.memory(), reader::duration);
        return RuleCompiler.anyNull(steps, memory) ? null : new BlockLadder(steps, memory);
    }

    EnforcementRules enforcement()
    {
        final EnforcementRules b = rules.base().enforcement();
        final Mapping m = rules.section("enforcement",
            List.of("enforcer", "ports", "verdict", "table", "output-chain", "exec", "flowspec"));
        if (m == null)
        {
            if (!rules.has("enforcement"))
            {
                rules.missing("enforcement");
            }
            return b;
        }
        final String enforcer = rules.field(m, "enforcer", b.enforcer(), this::enforcers);
        final List<Integer> ports = rules.field(m, "ports", b.ports(), this::enforcedPorts);
        final String verdict = rules.field(m, "verdict", b.verdict(), (n, p) -> word(n, p, List.of("drop", "reject")));
        final String table = rules.field(m, "table", b.table(), (n, p) ->
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
        final Boolean outputChain = rules.field(m, "output-chain", b.outputChain(), reader::bool);
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
            if (enforcer != null && !List.of(enforcer.split(",")).contains("exec"))
            {
                reader.warning(m.key("exec"), m.path("exec") + ": unused while enforcer is " + enforcer);
            }
        }
        else if (enforcer != null && List.of(enforcer.split(",")).contains("exec"))
        {
            reader.error(m.get("enforcer"), m.path("enforcer") + ": exec needs an 'exec: {command: [...]}' entry");
            return null;
        }
        final FlowspecRules flowspec = m.has("flowspec") ? flowspec(m, b.flowspec()) : b.flowspec();
        if (RuleCompiler.anyNull(enforcer, ports, verdict, table, outputChain, command, timeout, flowspec))
        {
            return null;
        }
        return new EnforcementRules(enforcer, ports, verdict, table, outputChain, command, timeout, flowspec);
    }

    private FlowspecRules flowspec(final Mapping m, final FlowspecRules base)
    {
        final Mapping f = reader.mapping(m.get("flowspec"), m.path("flowspec"), List.of("command", "action", "timeout"));
        if (f == null)
        {
            return null;
        }
        List<String> command = base.command();
        if (f.has("command"))
        {
            command = reader.texts(f.get("command"), f.path("command"));
            if (command != null && command.isEmpty())
            {
                reader.error(f.get("command"), f.path("command") + ": give the gobgp program and its flags, e.g. [gobgp, -p, \"50051\"]");
                command = null;
            }
        }
        FlowspecAction action = base.action();
        if (f.has("action"))
        {
            final String text = reader.text(f.get("action"), f.path("action"));
            try
            {
                action = text == null ? null : FlowspecAction.parse(text);
            }
            catch (final IllegalArgumentException e)
            {
                reader.error(f.get("action"), f.path("action") + ": " + e.getMessage());
                action = null;
            }
        }
        final Duration timeout = f.has("timeout") ? reader.duration(f.get("timeout"), f.path("timeout")) : base.timeout();
        return RuleCompiler.anyNull(command, action, timeout) ? null : new FlowspecRules(command, action, timeout);
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
                reader.error(items.get(i), path + ": port " + ports.get(i) + " is refused; " + RuleCompiler.SUBMISSION_REASON);
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

    /** One enforcer name, or a list of them ({@code [nftables, flowspec]}) kept as "nftables,flowspec". */
    private String enforcers(final Node node, final String path)
    {
        final List<String> known = List.of("none", "nftables", "exec", "flowspec");
        if (!(node instanceof org.snakeyaml.engine.v2.nodes.SequenceNode sequence))
        {
            return word(node, path, known);
        }
        final List<String> names = new ArrayList<>();
        for (final Node item : sequence.getValue())
        {
            final String name = word(item, path, known);
            if (name == null)
            {
                return null;
            }
            if (names.contains(name) || "none".equals(name))
            {
                reader.error(item, path + ": '" + name + "' " + (names.contains(name) ? "is named twice"
                    : "(shadow mode) cannot be combined with other enforcers"));
                return null;
            }
            names.add(name);
        }
        if (names.isEmpty())
        {
            reader.error(node, path + ": name at least one enforcer (none for shadow mode)");
            return null;
        }
        return String.join(",", names);
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

    Capture capture()
    {
        final Mapping m = rules.section("capture", List.of("smtp-ports", "syn-timeout"));
        final int[] basePorts = rules.base().smtpPorts();
        if (m == null)
        {
            if (!rules.has("capture"))
            {
                rules.missing("capture");
            }
            return new Capture(basePorts, rules.base().synTimeout());
        }
        final List<Integer> baseList = new ArrayList<>();
        for (final int port : basePorts)
        {
            baseList.add(port);
        }
        final List<Integer> ports = rules.field(m, "smtp-ports", baseList, this::ports);
        final Duration synTimeout = rules.field(m, "syn-timeout", rules.base().synTimeout(), reader::duration);
        if (ports != null && !ports.contains(25))
        {
            reader.warning(m.has("smtp-ports") ? m.get("smtp-ports") : m.node(),
                "capture.smtp-ports: port 25 is not analysed, so no relay detector can fire");
        }
        final int[] array = ports == null ? basePorts : ports.stream().mapToInt(Integer::intValue).toArray();
        return new Capture(array, synTimeout == null ? rules.base().synTimeout() : synTimeout);
    }
}
