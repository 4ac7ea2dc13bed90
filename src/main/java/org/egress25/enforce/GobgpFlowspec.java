package org.egress25.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.egress25.policy.FlowspecAction;
import java.util.Set;
import java.util.TreeSet;
import org.egress25.host.Addresses;

/**
 * Announces and withdraws flowspec rules in a local GoBGP daemon's global RIB through its own CLI, {@code gobgp},
 * which talks to {@code gobgpd} over gRPC; gobgpd then carries them to every BGP peer with the flowspec
 * families enabled (the edge routers). egress25 speaks no BGP itself: sessions, timers, graceful restart and
 * route refresh are the daemon's job.
 *
 * <p>One rule per blocked host: source the host's /32 or /128 (or the prefix of a prefix block), protocol TCP,
 * destination port one of the enforced ports, then the configured {@link FlowspecAction}:
 *
 * <pre>
 *   gobgp global rib -a ipv4-flowspec add match source 198.51.100.7/32 protocol tcp destination-port ==25 then discard
 * </pre>
 *
 * <p>Which routes are egress25's: those in the global RIB whose match has exactly those three components with
 * protocol TCP and exactly the enforced ports. An operator's other flowspec rules in the same daemon (a DDoS
 * filter matching a destination, say) have another shape and are never listed, so never withdrawn as strays.
 */
final class GobgpFlowspec
{
    private static final ObjectMapper JSON = new ObjectMapper();

    /** RFC 8955 flowspec component types. */
    private static final int SOURCE_PREFIX = 2;
    private static final int IP_PROTOCOL = 3;
    private static final int DESTINATION_PORT = 5;
    private static final int TCP = 6;

    /** RFC 8955 numeric operator: the AND bit and the three comparison bits; "equals" is 0x01 alone. */
    private static final int OP_AND = 0x40;
    private static final int OP_COMPARISON = 0x07;
    private static final int OP_EQUALS = 0x01;

    /** BGP path attribute type of extended communities (RFC 4360), which carry the flowspec actions. */
    private static final int EXTENDED_COMMUNITIES = 16;

    /** A route egress25 finds announced: the source it matches and the action it carries. */
    record Route(String source, String action)
    {
    }

    private final List<String> command;
    private final List<Integer> ports;
    private final FlowspecAction action;
    private final Duration timeout;

    /**
     * @param command the {@code gobgp} CLI and its connection flags, e.g. {@code [gobgp, -u, 127.0.0.1, -p, 50051]}
     * @param ports   destination ports a rule matches: the enforced ports, 25 by default
     */
    GobgpFlowspec(final List<String> command, final List<Integer> ports, final FlowspecAction action, final Duration timeout)
    {
        if (command.isEmpty() || ports.isEmpty())
        {
            throw new IllegalArgumentException("flowspec needs the gobgp command and at least one port");
        }
        this.command = List.copyOf(command);
        this.ports = List.copyOf(new TreeSet<>(ports));
        this.action = action;
        this.timeout = timeout;
    }

    FlowspecAction action()
    {
        return action;
    }

    /** Asks the daemon for its global settings: fails fast when gobgpd is down or unreachable. */
    void ping() throws EnforcerException
    {
        run(List.of("global"));
    }

    void announce(final String source) throws EnforcerException
    {
        final List<String> args = match(source, "add");
        args.add("then");
        args.addAll(action.gobgpWords());
        run(args);
    }

    /** Withdrawing a rule that is not announced succeeds, as gobgp itself treats it. */
    void withdraw(final String source) throws EnforcerException
    {
        run(match(source, "del"));
    }

    /** egress25's routes in both families, with the action each carries. */
    List<Route> announced() throws EnforcerException
    {
        final List<Route> routes = new ArrayList<>();
        for (final String family : new String[] {"ipv4-flowspec", "ipv6-flowspec"})
        {
            final String output = run(List.of("global", "rib", "-a", family, "-j"));
            try
            {
                parseRib(output, ports, routes);
            }
            catch (final IOException e)
            {
                throw new EnforcerException("flowspec: cannot read gobgp's " + family + " RIB: " + e.getMessage(), e);
            }
        }
        return routes;
    }

    private List<String> match(final String source, final String verb)
    {
        final List<String> args = new ArrayList<>(List.of("global", "rib", "-a", family(source), verb, "match",
            "source", prefix(source), "protocol", "tcp", "destination-port"));
        final StringBuilder portMatch = new StringBuilder();
        for (final int port : ports)
        {
            portMatch.append(portMatch.length() == 0 ? "" : "|").append("==").append(port);
        }
        args.add(portMatch.toString());
        return args;
    }

    private static String family(final String source)
    {
        return source.indexOf(':') >= 0 ? "ipv6-flowspec" : "ipv4-flowspec";
    }

    /** A host becomes its /32 or /128; a prefix (a prefix block) stays as it is. */
    static String prefix(final String source)
    {
        if (source.indexOf('/') >= 0)
        {
            return source;
        }
        return source + (source.indexOf(':') >= 0 ? "/128" : "/32");
    }

    /** The host a single-address prefix names, in egress25's canonical text; a wider prefix as it is. */
    static String source(final String prefix)
    {
        final int slash = prefix.indexOf('/');
        if (slash < 0)
        {
            return prefix;
        }
        final long[] address = Addresses.parse(prefix.substring(0, slash));
        final String host = Addresses.format(address[0], address[1]);
        final int length = Integer.parseInt(prefix.substring(slash + 1));
        final boolean single = length == (host.indexOf(':') >= 0 ? 128 : 32);
        return single ? host : host + "/" + length;
    }

    /**
     * Reads {@code gobgp global rib -a FAMILY -j}: an object from each route's text to its paths, each path with
     * the NLRI components in {@code nlri.value} and the attributes in {@code attrs}.
     */
    static void parseRib(final String json, final List<Integer> ports, final List<Route> into) throws IOException
    {
        final JsonNode rib = JSON.readTree(json.isBlank() ? "{}" : json);
        final Set<Integer> wantedPorts = new TreeSet<>(ports);
        for (final Map.Entry<String, JsonNode> route : rib.properties())
        {
            for (final JsonNode path : route.getValue())
            {
                final String source = oursSource(path.path("nlri").path("value"), wantedPorts);
                if (source != null)
                {
                    into.add(new Route(source, actionText(path.path("attrs"))));
                }
            }
        }
    }

    /** The source of a rule of egress25's shape, or null for any other rule. */
    private static String oursSource(final JsonNode components, final Set<Integer> wantedPorts)
    {
        String source = null;
        boolean tcp = false;
        final Set<Integer> matchedPorts = new TreeSet<>();
        for (final JsonNode component : components)
        {
            switch (component.path("type").asInt())
            {
                case SOURCE_PREFIX -> source = component.path("value").path("prefix").asText(null);
                case IP_PROTOCOL -> tcp = onlyEquals(component.path("value"), Set.of(TCP), new TreeSet<>());
                case DESTINATION_PORT ->
                {
                    if (!onlyEquals(component.path("value"), null, matchedPorts))
                    {
                        return null;
                    }
                }
                default ->
                {
                    return null;
                }
            }
        }
        if (source == null || !tcp || !matchedPorts.equals(wantedPorts))
        {
            return null;
        }
        return source(source);
    }

    /** True when every term is "equals" joined by OR; the values go into {@code values}, checked against {@code allowed}. */
    private static boolean onlyEquals(final JsonNode terms, final Set<Integer> allowed, final Set<Integer> values)
    {
        for (final JsonNode term : terms)
        {
            final int op = term.path("op").asInt();
            if ((op & OP_AND) != 0 || (op & OP_COMPARISON) != OP_EQUALS)
            {
                return false;
            }
            values.add(term.path("value").asInt());
        }
        return !values.isEmpty() && (allowed == null || allowed.containsAll(values));
    }

    /** The route's flowspec action in {@link FlowspecAction#toString()}'s words, or "" when it carries none. */
    private static String actionText(final JsonNode attributes)
    {
        for (final JsonNode attribute : attributes)
        {
            if (attribute.path("type").asInt() != EXTENDED_COMMUNITIES)
            {
                continue;
            }
            for (final JsonNode community : attribute.path("value"))
            {
                // RFC 8955 section 7: traffic-rate-bytes is type 0x80 subtype 0x06, redirect 0x80 subtype 0x08
                if (community.path("type").asInt() != 0x80)
                {
                    continue;
                }
                final int subtype = community.path("subtype").asInt();
                if (subtype == 0x06)
                {
                    final long rate = (long)community.path("rate").asDouble();
                    return rate == 0 ? "discard" : "rate-limit " + rate;
                }
                if (subtype == 0x08)
                {
                    return "redirect " + community.path("value").asText();
                }
            }
        }
        return "";
    }

    private String run(final List<String> args) throws EnforcerException
    {
        final List<String> full = new ArrayList<>(command);
        full.addAll(args);
        final Processes.Result result;
        try
        {
            result = Processes.run(full, "", timeout, Map.of());
        }
        catch (final IOException e)
        {
            throw new EnforcerException("flowspec: cannot run '" + command.get(0) + "': " + e.getMessage()
                + " (is GoBGP installed? Debian: apt-get install gobgpd)", e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new EnforcerException("flowspec: interrupted while running gobgp", e);
        }
        if (result.timedOut())
        {
            throw new EnforcerException("flowspec: '" + String.join(" ", full) + "' did not finish within "
                + timeout.toMillis() + " ms (is gobgpd running?)");
        }
        if (result.exitCode() != 0)
        {
            throw new EnforcerException("flowspec: '" + String.join(" ", full) + "' failed (exit " + result.exitCode()
                + "): " + result.excerpt() + " (is gobgpd running and reachable?)");
        }
        return result.output();
    }
}
