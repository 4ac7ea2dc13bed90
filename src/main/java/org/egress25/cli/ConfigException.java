package org.egress25.cli;

/** An operator's mistake (bad rule file, bad option value): reported plainly, exit code 2. */
public final class ConfigException extends RuntimeException
{
    public ConfigException(final String message)
    {
        super(message);
    }

    public ConfigException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
