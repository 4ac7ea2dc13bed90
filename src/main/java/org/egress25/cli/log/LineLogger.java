package org.egress25.cli.log;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An slf4j logger writing each record as one {@link LogSettings#format() formatted} write to standard error. */
final class LineLogger extends LegacyAbstractLogger
{
    private static final long serialVersionUID = 1L;

    LineLogger(final String name)
    {
        this.name = name;
    }

    @Override
    public boolean isTraceEnabled()
    {
        return LogSettings.enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled()
    {
        return LogSettings.enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled()
    {
        return LogSettings.enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled()
    {
        return LogSettings.enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled()
    {
        return LogSettings.enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName()
    {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(final Level level, final Marker marker, final String pattern,
        final Object[] arguments, final Throwable error)
    {
        final String message = MessageFormatter.basicArrayFormat(pattern, arguments);
        // one print call: PrintStream is synchronized, so records of different threads never interleave
        System.err.print(LogSettings.format().format(Instant.now().truncatedTo(ChronoUnit.MILLIS), level, name, message == null ? "null" : message, error));
        System.err.flush();
    }
}
