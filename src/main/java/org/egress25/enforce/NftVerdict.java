package org.egress25.enforce;

import java.util.Locale;

/** What happens to a blocked host's new connection to a policed port. */
public enum NftVerdict
{
    /** Silently discard the SYN: the client retries for about 2 minutes (Linux tcp_syn_retries=6) before giving up. */
    DROP("drop"),
    /**
     * Answer with a TCP reset: the client sees "connection refused" at once, so a subscriber's mail program
     * fails fast instead of hanging, and a bot does not pile up half-open sockets. The default.
     */
    REJECT("reject with tcp reset");

    private final String statement;

    NftVerdict(final String statement)
    {
        this.statement = statement;
    }

    /** The nft statement that ends the rule. */
    String statement()
    {
        return statement;
    }

    /** Accepts {@code drop} and {@code reject} as an operator writes them. */
    public static NftVerdict parse(final String text)
    {
        switch (text.trim().toLowerCase(Locale.ROOT))
        {
            case "drop":
                return DROP;
            case "reject":
                return REJECT;
            default:
                throw new IllegalArgumentException("verdict '" + text + "' is not one of: drop, reject");
        }
    }
}
