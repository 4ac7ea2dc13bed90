package org.egress25.synth;

import java.util.Locale;

/** The kinds of inside host the generator plays, and the verdict a correct filter reaches on each. */
public enum HostKind
{
    WEB_USER(false),
    SUBMISSION_USER(false),
    IMPLICIT_TLS_USER(false),
    NAT_OFFICE(false),
    SMALL_MTA(false),
    BUSINESS_MTA(false),
    MASS_SENDER(true),
    SLOW_SPAMBOT(true),
    DIRECTORY_HARVESTER(true),
    AUTH_BRUTE_FORCER(true),
    PORT25_SCANNER(true),
    IPV6_SPAMBOT(true),
    /** Hosts of the background pool: web, DNS and QUIC only. */
    BACKGROUND(false);

    private final boolean abusive;

    HostKind(final boolean abusive)
    {
        this.abusive = abusive;
    }

    public boolean isAbusive()
    {
        return abusive;
    }

    /** {@code "block"} or {@code "clean"}. */
    public String expectedVerdict()
    {
        return abusive ? "block" : "clean";
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
        throw new IllegalArgumentException("unknown host kind '" + text + "' (expected one of web-user, "
            + "submission-user, implicit-tls-user, nat-office, small-mta, business-mta, mass-sender, slow-spambot, "
            + "directory-harvester, auth-brute-forcer, port25-scanner, ipv6-spambot, background)");
    }
}
