package org.egress25.policy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.egress25.host.Cidr;
import org.egress25.policy.RuleReader.Mapping;
import org.snakeyaml.engine.v2.nodes.Node;

/** The {@code exemptions:} section: source and destination exemptions with their expiry, ticket and comment. */
final class ExemptionSection
{
    private static final List<String> EXEMPTION_KEYS = List.of("source", "destination", "expires", "ticket", "comment");

    private final RuleCompiler rules;
    private final RuleReader reader;
    private final Instant now;

    /** @param now wall-clock time, only to warn about exemptions that have already expired */
    ExemptionSection(final RuleCompiler rules, final RuleReader reader, final Instant now)
    {
        this.rules = rules;
        this.reader = reader;
        this.now = now;
    }

    List<Exemption> exemptions(final List<HostClass> classes)
    {
        final List<Exemption> exemptions = new ArrayList<>();
        final Node section = rules.value("exemptions");
        if (section == null)
        {
            return exemptions;
        }
        final List<Node> items = reader.sequence(section, "exemptions");
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
