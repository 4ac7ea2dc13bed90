package org.egress25.cli.log;

import java.util.Locale;
import org.slf4j.event.Level;

/**
 * The process's log format and threshold. The format starts as {@link LogFormat#detect detected} and the
 * {@code --log-format} option may replace it before the command runs; the threshold comes from
 * {@code EGRESS25_LOG_LEVEL} (error, warn, info, debug, trace; default info), so a unit file or
 * {@code /etc/default/egress25} can raise it without a new command line.
 */
public final class LogSettings
{
    private static volatile LogFormat format = LogFormat.detect(System.getenv());
    private static final int THRESHOLD = threshold(System.getenv("EGRESS25_LOG_LEVEL"));

    private LogSettings()
    {
    }

    public static LogFormat format()
    {
        return format;
    }

    public static void use(final LogFormat chosen)
    {
        format = chosen;
    }

    static boolean enabled(final Level level)
    {
        return level.toInt() >= THRESHOLD;
    }

    static int threshold(final String configured)
    {
        if (configured == null || configured.isBlank())
        {
            return Level.INFO.toInt();
        }
        try
        {
            return Level.valueOf(configured.strip().toUpperCase(Locale.ROOT)).toInt();
        }
        catch (final IllegalArgumentException e)
        {
            System.err.println("egress25: EGRESS25_LOG_LEVEL must be error, warn, info, debug or trace, got '"
                + configured + "'; using info");
            return Level.INFO.toInt();
        }
    }
}
