package org.egress25.host;

import java.util.Locale;

/** What a decision asks for. Serialised in lower case ({@code "block"}). */
public enum Action
{
    /** Tell the abuse desk; touch nothing. */
    ALERT,
    /** Cut the host off from the policed ports until the decision expires. */
    BLOCK,
    /** Lift a block before its expiry (operator, or reconcile at start). */
    UNBLOCK;

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Action parse(final String text)
    {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
}
