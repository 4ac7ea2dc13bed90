package org.egress25.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egress25.decision.Decision;
import org.egress25.smtp.SessionLogWriter;

/**
 * Mailbox local-parts out of everything a report carries. Reports leave the operator's hands (tickets,
 * customer mail, abuse-desk screens), and remote servers quote the envelope back in their replies
 * ({@code 554 5.7.1 <john.doe@example.com>: ... blocked using zen.spamhaus.org}), bots put mailboxes in HELO,
 * and those replies reach decision reasons and evidence. So every string of a report goes through here,
 * whatever field it sits in.
 *
 * <p>A mailbox here is anything shaped {@code local@domain} with RFC 5322 atom characters in the local part
 * and a dotted, bracketed or dotted-out domain ({@code alice.secret@...} from a HELO counts): wider than
 * valid addresses on purpose, since a false redaction costs a few letters and a missed one leaks a person.
 */
public final class Redaction
{
    private static final Pattern MAILBOX = Pattern.compile(
        "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\\-]+@[A-Za-z0-9.\\-\\[\\]:]+");

    private Redaction()
    {
    }

    /** Every mailbox in free text with its local-part redacted the way the session log's --redact does it. */
    public static String text(final String text)
    {
        if (text == null || text.indexOf('@') < 0)
        {
            return text;
        }
        return MAILBOX.matcher(text).replaceAll(r -> Matcher.quoteReplacement(SessionLogWriter.redactMailbox(r.group())));
    }

    /** A decision as a report shows it: reason and every string in its evidence redacted. */
    public static Decision decision(final Decision d)
    {
        return new Decision(d.time(), d.host(), d.action(), d.rule(), text(d.reason()), d.expires(),
            evidence(d.evidence()), d.source(), d.strikes());
    }

    private static Map<String, Object> evidence(final Map<String, Object> evidence)
    {
        final Map<String, Object> out = new LinkedHashMap<>();
        for (final Map.Entry<String, Object> e : evidence.entrySet())
        {
            out.put(e.getKey(), value(e.getValue()));
        }
        return out;
    }

    private static Object value(final Object value)
    {
        if (value instanceof String s)
        {
            return text(s);
        }
        if (value instanceof Map<?, ?> m)
        {
            final Map<String, Object> out = new LinkedHashMap<>();
            for (final Map.Entry<?, ?> e : m.entrySet())
            {
                out.put(String.valueOf(e.getKey()), value(e.getValue()));
            }
            return out;
        }
        if (value instanceof List<?> l)
        {
            final List<Object> out = new ArrayList<>(l.size());
            for (final Object o : l)
            {
                out.add(value(o));
            }
            return out;
        }
        return value;
    }

    /** Redacts every string value of a JSON tree in place; returns it (a new node for a bare string). */
    public static JsonNode tree(final JsonNode node)
    {
        if (node != null && node.isTextual())
        {
            return TextNode.valueOf(text(node.asText()));
        }
        if (node instanceof ObjectNode object)
        {
            for (final Map.Entry<String, JsonNode> f : object.properties())
            {
                if (f.getValue().isTextual())
                {
                    f.setValue(TextNode.valueOf(text(f.getValue().asText())));
                }
                else
                {
                    tree(f.getValue());
                }
            }
        }
        else if (node instanceof ArrayNode array)
        {
            for (int i = 0; i < array.size(); i++)
            {
                if (array.get(i).isTextual())
                {
                    array.set(i, TextNode.valueOf(text(array.get(i).asText())));
                }
                else
                {
                    tree(array.get(i));
                }
            }
        }
        return node;
    }
}
