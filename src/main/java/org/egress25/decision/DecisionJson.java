package org.egress25.decision;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one JSON shape of a decision, shared by the decisions log, the journal, the exec enforcer's stdin and
 * the control API: {@code time, host, action, rule, reason, expires, evidence, source, strikes}. Times are
 * ISO-8601 UTC; {@code expires} is null for alerts and unblocks.
 */
public final class DecisionJson
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DecisionJson()
    {
    }

    public static String toJson(final Decision d)
    {
        final StringWriter out = new StringWriter(256);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out))
        {
            g.writeStartObject();
            g.writeStringField("time", d.time().toString());
            g.writeStringField("host", d.host());
            g.writeStringField("action", d.action().label());
            g.writeStringField("rule", d.rule());
            g.writeStringField("reason", d.reason());
            if (d.expires() == null)
            {
                g.writeNullField("expires");
            }
            else
            {
                g.writeStringField("expires", d.expires().toString());
            }
            g.writeFieldName("evidence");
            MAPPER.writeValue(g, d.evidence());
            g.writeStringField("source", d.source().label());
            g.writeNumberField("strikes", d.strikes());
            g.writeEndObject();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Parses one line written by {@link #toJson}. */
    public static Decision fromJson(final String line) throws IOException
    {
        final JsonNode n = MAPPER.readTree(line);
        final Map<String, Object> evidence = new LinkedHashMap<>();
        final JsonNode ev = n.path("evidence");
        for (final Iterator<Map.Entry<String, JsonNode>> it = ev.fields(); it.hasNext(); )
        {
            final Map.Entry<String, JsonNode> field = it.next();
            evidence.put(field.getKey(), MAPPER.treeToValue(field.getValue(), Object.class));
        }
        final JsonNode expires = n.path("expires");
        return new Decision(
            Instant.parse(n.path("time").asText()),
            n.path("host").asText(),
            Action.parse(n.path("action").asText()),
            n.path("rule").asText(),
            n.path("reason").asText(),
            expires.isNull() || expires.isMissingNode() ? null : Instant.parse(expires.asText()),
            evidence,
            Source.valueOf(n.path("source").asText("detector").toUpperCase(java.util.Locale.ROOT)),
            n.path("strikes").asInt(0));
    }
}
