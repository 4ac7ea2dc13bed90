package org.egress25.enforce;

/** An enforcer could not set itself up; the message says what the operator should do about it. */
public final class EnforcerException extends Exception
{
    public EnforcerException(final String message)
    {
        super(message);
    }

    public EnforcerException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
