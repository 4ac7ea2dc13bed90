package org.egress25.policy;

import java.util.Locale;

/**
 * Which SMTP ports a detector watches. Relay is port 25 (RFC 5321, server to server); submission is
 * 587 (RFC 6409), 465 (implicit TLS, RFC 8314) and 2525 (unofficial). They are policed differently, so
 * their counters are kept apart.
 */
public enum PortGroup
{
    RELAY("relay"),
    SUBMISSION("submission"),
    ANY("any");

    private final String text;

    PortGroup(final String text)
    {
        this.text = text;
    }

    public String text()
    {
        return text;
    }

    public boolean includes(final PortGroup group)
    {
        return this == ANY || this == group;
    }

    public static PortGroup parse(final String value)
    {
        for (final PortGroup group : values())
        {
            if (group.text.equals(value.trim().toLowerCase(Locale.ROOT)))
            {
                return group;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not a port group (relay, submission, any)");
    }
}
