package org.egress25.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.egress25.host.Addresses;

/**
 * What is odd about a HELO/EHLO name (RFC 5321 4.1.1.1: a fully qualified domain name, or an address
 * literal in brackets). Advisory only: plenty of honest small servers say {@code localhost}, and a HELO
 * costs a spammer nothing to fake, so these findings alert and never block on their own.
 *
 * <p>"Random-looking" is a heuristic on the leftmost label, tuned to flag generated names like
 * {@code xkqzvbtrw} or {@code a8f3k2j9d1} while passing names people choose ({@code mail}, {@code smtp-01},
 * {@code mx2}, {@code strength}):
 * <ul>
 *   <li>a run of 5 or more consonants ({@code y} counts as a vowel; English words peak at 4, as in
 *       "angstrom" or "strength"), or</li>
 *   <li>8 or more characters that switch between letter and digit 4 or more times ({@code a8f3k2}),
 *       which host names chosen by people almost never do but hex and base36 tokens do all the time.</li>
 * </ul>
 */
final class HeloCheck
{
    static final String BARE_IP = "bare-ip";
    static final String LITERAL_MISMATCH = "ip-literal-not-host";
    static final String LITERAL_MALFORMED = "ip-literal-malformed";
    static final String LOCALHOST = "localhost";
    static final String SINGLE_LABEL = "single-label";
    static final String RANDOM = "random-looking";
    static final String PROVIDER = "claims-provider-domain";
    static final String EMPTY = "empty";

    private HeloCheck()
    {
    }

    /** Findings for one HELO name from host {@code hi/lo}; empty when the name looks proper. */
    static List<String> problems(final String helo, final long hi, final long lo, final List<String> providers)
    {
        final List<String> found = new ArrayList<>(2);
        final String name = helo.trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty())
        {
            found.add(EMPTY);
            return found;
        }
        if (name.startsWith("[") && name.endsWith("]"))
        {
            String literal = name.substring(1, name.length() - 1);
            if (literal.startsWith("ipv6:"))
            {
                literal = literal.substring(5);
            }
            final long v4 = ipv4(literal);
            if (v4 >= 0)
            {
                if (hi != 0 || lo != (Addresses.IPV4_MAPPED_PREFIX | v4))
                {
                    found.add(LITERAL_MISMATCH);
                }
                return found;
            }
            try
            {
                final long[] pair = Addresses.parse(literal);
                if (pair[0] != hi || pair[1] != lo)
                {
                    found.add(LITERAL_MISMATCH);
                }
            }
            catch (final IllegalArgumentException e)
            {
                found.add(LITERAL_MALFORMED);
            }
            return found;
        }
        if (looksLikeAddress(name))
        {
            found.add(BARE_IP);
            return found;
        }
        if (name.equals("localhost") || name.startsWith("localhost."))
        {
            found.add(LOCALHOST);
            return found;
        }
        if (name.indexOf('.') < 0 || name.endsWith(".") && name.indexOf('.') == name.length() - 1)
        {
            found.add(SINGLE_LABEL);
        }
        final int dot = name.indexOf('.');
        if (randomLooking(dot < 0 ? name : name.substring(0, dot)))
        {
            found.add(RANDOM);
        }
        for (final String p : providers)
        {
            final int at = name.length() - p.length();
            if (at >= 0 && name.regionMatches(true, at, p, 0, p.length()) && (at == 0 || name.charAt(at - 1) == '.'))
            {
                found.add(PROVIDER);
                break;
            }
        }
        return found;
    }

    /**
     * A dotted quad as an unsigned 32-bit value, or -1 when the text is not exactly four decimal octets.
     * Spambots send a fresh literal every session; this spares the general parser (and its regex) for them.
     */
    static long ipv4(final String text)
    {
        long value = 0;
        int octets = 0;
        int at = 0;
        while (at <= text.length() && octets < 4)
        {
            int octet = 0;
            int digits = 0;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9' && digits < 4)
            {
                octet = octet * 10 + (text.charAt(at++) - '0');
                digits++;
            }
            if (digits == 0 || digits > 3 || octet > 255)
            {
                return -1;
            }
            value = (value << 8) | octet;
            octets++;
            if (octets < 4)
            {
                if (at >= text.length() || text.charAt(at) != '.')
                {
                    return -1;
                }
                at++;
            }
        }
        return octets == 4 && at == text.length() ? value : -1;
    }

    private static boolean looksLikeAddress(final String name)
    {
        if (name.indexOf(':') >= 0)
        {
            return true;
        }
        int dots = 0;
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c == '.')
            {
                dots++;
            }
            else if (c < '0' || c > '9')
            {
                return false;
            }
        }
        return dots == 3;
    }

    static boolean randomLooking(final String label)
    {
        int consonantRun = 0;
        int switches = 0;
        int previous = 0;
        for (int i = 0; i < label.length(); i++)
        {
            final char c = label.charAt(i);
            final boolean letter = c >= 'a' && c <= 'z';
            final boolean digit = c >= '0' && c <= '9';
            if (letter && "aeiouy".indexOf(c) < 0)
            {
                consonantRun++;
                if (consonantRun >= 5)
                {
                    return true;
                }
            }
            else
            {
                consonantRun = 0;
            }
            final int kind = letter ? 1 : digit ? 2 : 0;
            if (kind != 0 && previous != 0 && kind != previous)
            {
                switches++;
            }
            previous = kind == 0 ? previous : kind;
        }
        return label.length() >= 8 && switches >= 4;
    }
}
