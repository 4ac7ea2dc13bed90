package org.egress25.policy;

import java.io.StringReader;
import org.egress25.policy.RuleCompiler.RuleText;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;

/**
 * Refuses YAML that would cost the loader far more than a rule file ever needs, before it is composed into
 * nodes. snakeyaml-engine's composer recurses once per nesting level, so 2,000 nested {@code [} overflow a
 * 512 KiB thread stack ({@link StackOverflowError}); its parser is an explicit state machine and does not, so
 * one pass over the parse events counts depth, aliases and keys with no recursion and stops at the first event
 * past a limit, which is where the problem is reported.
 *
 * <p>The limits are an order of magnitude above the shipped rules and what an ISP's exemption list needs: the
 * shipped files nest 5 levels and hold about 400 keys; 20,000 exemptions of 4 keys each are 80,000 keys.
 * Aliases are not used by the shipped rules at all; 50 leave room for an operator's anchors while a
 * billion-laughs document needs about 90 collection aliases for 10^9 items and is refused at once (the
 * composer shares aliased nodes, but every reader of the tree walks each reference).
 */
final class YamlLimits
{
    /** Deepest nesting of mappings and lists accepted (the shipped rules nest 5 deep). */
    static final int MAX_DEPTH = 64;
    /** Most aliases ({@code *name}) in one file. */
    static final int MAX_ALIASES = 50;
    /** Most mapping keys in one file, over all its mappings. */
    static final int MAX_KEYS = 100_000;

    private YamlLimits()
    {
    }

    /**
     * The first limit {@code text} crosses, as a problem at the place it is crossed, or null when it stays
     * within them all. Syntax errors are left to the composer, which reports them with their context.
     */
    static Problem check(final LoadSettings settings, final RuleText text)
    {
        // per level: 0 in a list, 1 in a mapping awaiting a key, 2 in a mapping awaiting a value
        final byte[] levels = new byte[MAX_DEPTH + 1];
        int depth = 0;
        int aliases = 0;
        int keys = 0;
        for (final Event event : new Parse(settings).parseReader(new StringReader(text.text())))
        {
            final Event.ID id = event.getEventId();
            if (id == Event.ID.SequenceEnd || id == Event.ID.MappingEnd)
            {
                depth--;
                continue;
            }
            final boolean node = id == Event.ID.Scalar || id == Event.ID.Alias || id == Event.ID.SequenceStart
                || id == Event.ID.MappingStart;
            if (!node)
            {
                continue;
            }
            if (depth > 0 && levels[depth] != 0)
            {
                if (levels[depth] == 1 && ++keys > MAX_KEYS)
                {
                    return at(text, event, "more than " + MAX_KEYS + " keys in one file; split it or shorten it");
                }
                levels[depth] = (byte)(3 - levels[depth]);
            }
            if (id == Event.ID.Alias && ++aliases > MAX_ALIASES)
            {
                return at(text, event, "more than " + MAX_ALIASES + " aliases in one file (a YAML bomb?)");
            }
            if (id == Event.ID.SequenceStart || id == Event.ID.MappingStart)
            {
                if (depth == MAX_DEPTH)
                {
                    return at(text, event, "nested deeper than " + MAX_DEPTH + " levels; no rule needs more than 5");
                }
                depth++;
                levels[depth] = (byte)(id == Event.ID.MappingStart ? 1 : 0);
            }
        }
        return null;
    }

    private static Problem at(final RuleText text, final Event event, final String message)
    {
        final Mark mark = event.getStartMark().orElse(null);
        return mark == null
            ? new Problem(text.name(), 0, 0, Problem.Severity.ERROR, message)
            : new Problem(text.name(), mark.getLine() + 1, mark.getColumn() + 1, Problem.Severity.ERROR, message);
    }
}
