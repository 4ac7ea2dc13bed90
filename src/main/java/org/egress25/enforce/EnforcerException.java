package org.egress25.enforce;

/** An enforcer could not set itself up; the message says what the operator should do about it. */
public final class EnforcerException extends Exception
{
    private boolean fatal;

    public EnforcerException(final String message)
    {
        super(message);
    }

    public EnforcerException(final String message, final Throwable cause)
    {
        super(message, cause);
    }

    /** @param fatal true when retrying cannot help and the instance must not run (another owns the table) */
    public EnforcerException(final String message, final boolean fatal)
    {
        super(message);
        this.fatal = fatal;
    }

    public boolean fatal()
    {
        return fatal;
    }
}
