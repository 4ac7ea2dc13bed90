package org.egress25.policy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an edge router does with traffic matching a blocked host's flowspec rule (RFC 8955 section 7):
 *
 * <ul>
 *   <li>{@code discard}: traffic-rate 0, the rule every flowspec router implements; the default.</li>
 *   <li>{@code rate-limit N}: traffic-rate of N bytes a second, for an operator who would rather slow a host's
 *       port-25 traffic than cut it. {@code rate-limit 0} is the same as {@code discard} on the wire.</li>
 *   <li>{@code redirect ASN:NN}: redirect to the VRF with that route target, e.g. a walled garden that
 *       answers every port-25 connection with a 554 naming the ISP's help page.</li>
 * </ul>
 */
public record FlowspecAction(Kind kind, long bytesPerSecond, String routeTarget)
{
    public enum Kind
    {
        DISCARD,
        RATE_LIMIT,
        REDIRECT
    }

    /** A route target as GoBGP and RFC 4360 spell a two-octet-AS one: {@code 65000:666}. */
    private static final Pattern ROUTE_TARGET = Pattern.compile("(\\d{1,10}):(\\d{1,10})");

    public static FlowspecAction discard()
    {
        return new FlowspecAction(Kind.DISCARD, 0, null);
    }

    /**
     * @param text {@code discard}, {@code rate-limit BYTES_PER_SECOND} or {@code redirect ASN:NN}
     * @throws IllegalArgumentException naming what is wrong, for the rule loader to place at its line
     */
    public static FlowspecAction parse(final String text)
    {
        final String[] words = text.strip().split("\\s+");
        switch (words[0])
        {
            case "discard":
                if (words.length != 1)
                {
                    throw new IllegalArgumentException("'discard' takes no argument, got '" + text + "'");
                }
                return discard();
            case "rate-limit":
                if (words.length != 2 || !words[1].matches("\\d{1,12}"))
                {
                    throw new IllegalArgumentException("'rate-limit' takes bytes per second, e.g. 'rate-limit 0', got '" + text + "'");
                }
                return new FlowspecAction(Kind.RATE_LIMIT, Long.parseLong(words[1]), null);
            case "redirect":
                if (words.length != 2)
                {
                    throw new IllegalArgumentException("'redirect' takes a route target, e.g. 'redirect 65000:666', got '" + text + "'");
                }
                final Matcher target = ROUTE_TARGET.matcher(words[1]);
                if (!target.matches() || Long.parseLong(target.group(1)) > 0xFFFF || Long.parseLong(target.group(2)) > 0xFFFF_FFFFL)
                {
                    throw new IllegalArgumentException("route target must be ASN:NN with a 16-bit ASN and a 32-bit number, got '" + words[1] + "'");
                }
                return new FlowspecAction(Kind.REDIRECT, 0, words[1]);
            default:
                throw new IllegalArgumentException("flowspec action must be discard, rate-limit N or redirect ASN:NN, got '" + text + "'");
        }
    }

    /** The words after {@code then} in a {@code gobgp global rib add} command. */
    public List<String> gobgpWords()
    {
        return switch (kind)
        {
            case DISCARD -> List.of("discard");
            case RATE_LIMIT -> List.of("rate-limit", Long.toString(bytesPerSecond));
            case REDIRECT -> List.of("redirect", routeTarget);
        };
    }

    @Override
    public String toString()
    {
        return String.join(" ", gobgpWords());
    }
}
