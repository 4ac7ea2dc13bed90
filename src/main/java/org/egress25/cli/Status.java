package org.egress25.cli;

import java.io.PrintWriter;
import org.egress25.cli.log.LogFormat;
import org.egress25.cli.log.LogSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The few lines egress25 itself says about a command ("running on eth1 ...", "capture failed ..."): plain
 * {@code egress25: ...} on a terminal, where scripts and people read them, and log records like every other
 * line under the journal or {@code --log-format json}, so those streams carry nothing unparsed.
 */
final class Status
{
    private static final Logger LOG = LoggerFactory.getLogger("egress25");

    private Status()
    {
    }

    static void info(final PrintWriter err, final String message)
    {
        say(err, Level.INFO, message);
    }

    static void error(final PrintWriter err, final String message)
    {
        say(err, Level.ERROR, message);
    }

    private static void say(final PrintWriter err, final Level level, final String message)
    {
        if (LogSettings.format() == LogFormat.TEXT)
        {
            err.println("egress25: " + message);
            err.flush();
        }
        else
        {
            LOG.atLevel(level).log(message);
        }
    }
}
