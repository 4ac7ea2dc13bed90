package org.egress25.decision;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.egress25.host.Action;

/**
 * The one JSON shape of a decision, shared by the decisions log, the exec enforcer's stdin and the control
 * endpoint, so a script written against one works against the others:
 *
 * <pre>
 * {"time":"2026-11-28T01:22:00Z","host":"10.0.0.5","action":"block","rule":"relay-attempts-1m",
 *  "reason":"...","expires":"2026-11-28T02:22:00Z","evidence":{"attempts":212},"source":"detector","strikes":1}
 * </pre>
 *
 * <p>Fields always appear in this order; times are ISO-8601 UTC ({@link Instant#toString()}); {@code expires}
 * is {@code null}, not absent, for alerts and unblocks.
 */
public final class DecisionJson
{
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private DecisionJson()
    {
    }

    /** One line of JSON, without the trailing newline. */
    public static String toJson(final Decision decision)
    {
        try
        {
            return MAPPER.writeValueAsString(toNode(decision));
        }
        catch (final JsonProcessingException e)
        {
            // only evidence values can be unserialisable; the detectors put numbers and strings there
            throw new IllegalArgumentException("decision for " + decision.host() + " cannot be written as JSON", e);
        }
    }

    public static ObjectNode toNode(final Decision decision)
    {
        final ObjectNode node = MAPPER.createObjectNode();
        node.put("time", decision.time().toString());
        node.put("host", decision.host());
        node.put("action", decision.action().label());
        node.put("rule", decision.rule());
        node.put("reason", decision.reason());
        node.put("expires", decision.expires() == null ? null : decision.expires().toString());
        node.set("evidence", MAPPER.valueToTree(decision.evidence()));
        node.put("source", decision.source().label());
        node.put("strikes", decision.strikes());
        return node;
    }

    /**
     * Reads a line written by {@link #toJson}; unknown fields are ignored so older readers survive newer
     * writers.
     *
     * @throws IllegalArgumentException naming the missing or bad field
     */
    public static Decision fromJson(final String line)
    {
        final JsonNode node;
        try
        {
            node = MAPPER.readTree(line);
        }
        catch (final JsonProcessingException e)
        {
            throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject())
        {
            throw new IllegalArgumentException("not a JSON object");
        }
        final Map<String, Object> evidence = new LinkedHashMap<>();
        final JsonNode evidenceNode = node.get("evidence");
        if (evidenceNode != null && evidenceNode.isObject())
        {
            for (final Map.Entry<String, JsonNode> field : evidenceNode.properties())
            {
                evidence.put(field.getKey(), MAPPER.convertValue(field.getValue(), Object.class));
            }
        }
        return new Decision(
            instant(node, "time", true),
            text(node, "host"),
            Action.parse(text(node, "action")),
            text(node, "rule"),
            text(node, "reason"),
            instant(node, "expires", false),
            evidence,
            source(node),
            node.path("strikes").asInt(0));
    }

    public static String text(final JsonNode node, final String field)
    {
        final JsonNode value = node.get(field);
        if (value == null || !value.isTextual())
        {
            throw new IllegalArgumentException("field '" + field + "' is missing or not a string");
        }
        return value.asText();
    }

    public static Source source(final JsonNode node)
    {
        final String label = text(node, "source");
        try
        {
            return Source.valueOf(label.toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalArgumentException("field 'source' is not one of detector, manual, reconcile: " + label, e);
        }
    }

    public static Instant instant(final JsonNode node, final String field, final boolean required)
    {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull())
        {
            if (required)
            {
                throw new IllegalArgumentException("field '" + field + "' is missing");
            }
            return null;
        }
        try
        {
            return Instant.parse(value.asText());
        }
        catch (final DateTimeParseException e)
        {
            throw new IllegalArgumentException("field '" + field + "' is not an ISO-8601 time: " + value.asText(), e);
        }
    }
}
