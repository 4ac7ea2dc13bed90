package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * Made-up but plausible names: domains, mail hosts, mailbox local parts, the junk HELO names bots use.
 * Built from syllables so a run can have thousands of distinct MX hosts, and so no real company is named.
 */
final class Names
{
    private static final String[] SYLLABLES = {
        "ka", "lor", "vi", "den", "mar", "to", "sel", "qua", "ri", "bex", "no", "tam", "fi", "gor", "lu", "pen",
        "sa", "dro", "mi", "vel", "ha", "zen", "co", "rum", "ti", "bal", "ne", "vor", "di", "sun"
    };
    private static final String[] TLDS = {"com", "net", "org", "de", "nl", "fr", "io", "co.uk", "com.br", "it"};
    private static final String[] FIRST = {
        "anna", "ben", "carla", "david", "eva", "felix", "greta", "hugo", "ines", "jonas", "karin", "leo", "maria",
        "nils", "olga", "paul", "rosa", "sven", "tina", "uwe"
    };
    private static final String[] LAST = {
        "meyer", "silva", "novak", "jansen", "rossi", "dubois", "berg", "kowalski", "smith", "larsen", "costa"
    };
    private static final String[] ROLES = {"info", "sales", "support", "office", "billing", "hr", "admin", "contact"};
    private static final String[] WORDS = {
        "the", "meeting", "invoice", "attached", "please", "find", "report", "quarter", "schedule", "next", "week",
        "project", "update", "thanks", "regards", "review", "draft", "budget", "order", "delivery", "confirm",
        "we", "will", "have", "a", "call", "on", "monday", "about", "new", "plan", "team", "numbers", "shipment"
    };

    private Names()
    {
    }

    static String word(final SplittableRandom random)
    {
        final int syllables = 2 + random.nextInt(2);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < syllables; i++)
        {
            sb.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
        }
        return sb.toString();
    }

    static String domain(final SplittableRandom random)
    {
        return word(random) + "." + TLDS[random.nextInt(TLDS.length)];
    }

    /** An MX host name of a domain: {@code mx1.kalorvi.net}, {@code mail.kalorvi.net}. */
    static String mxHost(final SplittableRandom random, final String domain)
    {
        final String[] prefixes = {"mx1", "mx2", "mail", "smtp", "mx", "in1", "mta"};
        return prefixes[random.nextInt(prefixes.length)] + "." + domain;
    }

    static String person(final SplittableRandom random)
    {
        return FIRST[random.nextInt(FIRST.length)] + "." + LAST[random.nextInt(LAST.length)];
    }

    static String mailbox(final SplittableRandom random, final String domain)
    {
        final String local = random.nextInt(4) == 0 ? ROLES[random.nextInt(ROLES.length)] : person(random);
        return local + "@" + domain;
    }

    /** A HELO a bot makes up: random letters, a fake big-company name, a bare word, an address literal. */
    static String junkHelo(final SplittableRandom random, final String ownAddress)
    {
        switch (random.nextInt(5))
        {
            case 0:
                return randomLetters(random, 6 + random.nextInt(6));
            case 1:
                return "[" + ownAddress + "]";
            case 2:
                return "mail." + word(random) + "-bank.com";
            case 3:
                return "WIN-" + randomLetters(random, 11).toUpperCase(java.util.Locale.ROOT);
            default:
                return "localhost";
        }
    }

    static String randomLetters(final SplittableRandom random, final int length)
    {
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            final int r = random.nextInt(36);
            sb.append((char)(r < 26 ? 'a' + r : '0' + r - 26));
        }
        return sb.toString();
    }

    /** A plain-text sentence for mail bodies, without a leading dot, so no dot-stuffing is needed. */
    static String sentence(final SplittableRandom random)
    {
        final int words = 6 + random.nextInt(8);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++)
        {
            if (i > 0)
            {
                sb.append(' ');
            }
            sb.append(WORDS[random.nextInt(WORDS.length)]);
        }
        sb.setCharAt(0, Character.toUpperCase(sb.charAt(0)));
        return sb.append('.').toString();
    }
}
