package org.egress25.synth;

import java.util.Locale;

/**
 * The kinds of inside host the generator plays, and the verdict a correct filter reaches on each. New kinds go
 * at the end: the ordinal picks each kind's address range, so appending keeps older captures' addresses.
 */
public enum HostKind
{
    WEB_USER(Expected.CLEAN),
    SUBMISSION_USER(Expected.CLEAN),
    IMPLICIT_TLS_USER(Expected.CLEAN),
    NAT_OFFICE(Expected.CLEAN),
    SMALL_MTA(Expected.CLEAN),
    BUSINESS_MTA(Expected.CLEAN),
    MASS_SENDER(Expected.BLOCK),
    SLOW_SPAMBOT(Expected.BLOCK),
    DIRECTORY_HARVESTER(Expected.BLOCK),
    /** Abusive, but on submission ports, which are never blocked on port alone (RFC 5068): an alert. */
    AUTH_BRUTE_FORCER(Expected.ALERT),
    PORT25_SCANNER(Expected.BLOCK),
    IPV6_SPAMBOT(Expected.BLOCK),
    /** Hosts of the background pool: web, DNS and QUIC only. */
    BACKGROUND(Expected.CLEAN),
    // The harder test bed (rules/README.md, "Calibration"): clean hosts a naive detector blocks, abusers it misses.
    BUSY_BUSINESS_MTA(Expected.CLEAN),
    NEWSLETTER_SERVER(Expected.CLEAN),
    BACKUP_MX(Expected.CLEAN),
    GREYLISTED_SENDER(Expected.CLEAN),
    CGNAT_HOME_SERVER(Expected.CLEAN),
    OFFICE_WITH_MTA(Expected.CLEAN),
    MISCONFIGURED_CLIENT(Expected.CLEAN),
    LOW_AND_SLOW_BOT(Expected.BLOCK),
    TLS_ONLY_BOT(Expected.BLOCK),
    CGNAT_BOT(Expected.BLOCK),
    IPV6_ROTATING_BOT(Expected.BLOCK),
    HIJACKED_MTA(Expected.BLOCK),
    MOSTLY_ACCEPTED_BOT(Expected.BLOCK);

    private final String expected;

    HostKind(final String expected)
    {
        this.expected = expected;
    }

    public boolean isAbusive()
    {
        return !expected.equals(Expected.CLEAN);
    }

    /** {@code "block"}, {@code "alert"} (abuse a filter may only report) or {@code "clean"}. */
    public String expectedVerdict()
    {
        return expected;
    }

    /** Labels of the harder test bed's kinds, for a scenario that plays all of them. */
    public static java.util.List<HostKind> hardTestBed()
    {
        return java.util.List.of(BUSY_BUSINESS_MTA, NEWSLETTER_SERVER, BACKUP_MX, GREYLISTED_SENDER, CGNAT_HOME_SERVER,
            OFFICE_WITH_MTA, MISCONFIGURED_CLIENT, LOW_AND_SLOW_BOT, TLS_ONLY_BOT, CGNAT_BOT, IPV6_ROTATING_BOT,
            HIJACKED_MTA, MOSTLY_ACCEPTED_BOT);
    }

    /** The name in labels and on the command line: {@code mass-sender}. */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #label()} (or the enum name), for the command line. */
    public static HostKind fromLabel(final String text)
    {
        final String wanted = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (final HostKind kind : values())
        {
            if (kind.name().equals(wanted))
            {
                return kind;
            }
        }
        final java.util.List<String> names = new java.util.ArrayList<>();
        for (final HostKind kind : values())
        {
            names.add(kind.label());
        }
        throw new IllegalArgumentException("unknown host kind '" + text + "' (expected one of "
            + String.join(", ", names) + ")");
    }

    /** The verdict strings, in a holder because enum constants cannot name the enum's own static fields. */
    private static final class Expected
    {
        static final String CLEAN = "clean";
        static final String BLOCK = "block";
        static final String ALERT = "alert";
    }
}
