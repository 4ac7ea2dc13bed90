package org.egress25.cli.log;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.slf4j.event.Level;

/**
 * How a log record is written on standard error: one record per line (a stack trace continues it).
 *
 * <p>Under systemd, standard error is a stream into the journal, which stamps every line with its own time and
 * takes an {@code <N>} prefix as the line's syslog priority (sd-daemon(3)): our own timestamp would be printed
 * twice by {@code journalctl} and every line would be "info". {@link #detect} recognises that stream by the
 * {@code JOURNAL_STREAM} variable systemd sets (systemd.exec(5)), and only when it names the device and inode
 * standard error really is, so a program started from a service with its output redirected is not fooled.
 */
public enum LogFormat
{
    /** For a terminal or a file: {@code 2026-12-04T01:50:00.123Z WARN  EnforcerService - message}. */
    TEXT
    {
        @Override
        String format(final Instant time, final Level level, final String logger, final String message, final Throwable error)
        {
            final StringBuilder line = new StringBuilder(80 + message.length());
            TIME.formatTo(time, line);
            line.append(' ').append(String.format(Locale.ROOT, "%-5s", level)).append(' ').append(shortName(logger))
                .append(" - ").append(message).append('\n');
            if (error != null)
            {
                line.append(stackTrace(error));
            }
            return line.toString();
        }
    },
    /** Under systemd: {@code <4>EnforcerService: message}, the priority prefix on every line of a stack trace too. */
    JOURNAL
    {
        @Override
        String format(final Instant time, final Level level, final String logger, final String message, final Throwable error)
        {
            final String prefix = "<" + priority(level) + ">";
            final StringBuilder line = new StringBuilder(prefix).append(shortName(logger)).append(": ");
            appendPrefixed(line, message, prefix);
            if (error != null)
            {
                line.append(prefix);
                appendPrefixed(line, stackTrace(error).stripTrailing(), prefix);
            }
            return line.toString();
        }
    },
    /**
     * For log pipelines: {@code {"time":"...","level":"WARN","priority":4,"logger":"org.egress25...","message":"...",
     * "exception":"..."}}, one object per line, the stack trace (if any) inside it.
     */
    JSON
    {
        @Override
        String format(final Instant time, final Level level, final String logger, final String message, final Throwable error)
        {
            final JsonStringEncoder json = JsonStringEncoder.getInstance();
            final StringBuilder line = new StringBuilder(120 + message.length()).append("{\"time\":\"");
            TIME.formatTo(time, line);
            line.append("\",\"level\":\"").append(level).append("\",\"priority\":").append(priority(level))
                .append(",\"logger\":\"").append(json.quoteAsString(logger))
                .append("\",\"message\":\"").append(json.quoteAsString(message)).append('"');
            if (error != null)
            {
                line.append(",\"exception\":\"").append(json.quoteAsString(stackTrace(error))).append('"');
            }
            return line.append("}\n").toString();
        }
    };

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

    /** The record as the text to write, ending with a newline. */
    abstract String format(Instant time, Level level, String logger, String message, Throwable error);

    /** The option's values: {@code auto} (journal when standard error is the journal, text otherwise), text, journal, json. */
    public static LogFormat parse(final String value, final Map<String, String> environment)
    {
        return switch (value.toLowerCase(Locale.ROOT))
        {
            case "auto" -> detect(environment);
            case "text" -> TEXT;
            case "journal" -> JOURNAL;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("--log-format must be auto, text, journal or json, got '" + value + "'");
        };
    }

    /** {@link #JOURNAL} when {@code JOURNAL_STREAM} names this process's standard error, else {@link #TEXT}. */
    public static LogFormat detect(final Map<String, String> environment)
    {
        final String stream = environment.get("JOURNAL_STREAM");
        if (stream == null || stream.isBlank())
        {
            return TEXT;
        }
        final String[] devIno = stream.split(":", 2);
        try
        {
            final Path stderr = Path.of("/proc/self/fd/2");
            final long dev = ((Number)Files.getAttribute(stderr, "unix:dev")).longValue();
            final long ino = ((Number)Files.getAttribute(stderr, "unix:ino")).longValue();
            return devIno.length == 2 && Long.parseLong(devIno[0]) == dev && Long.parseLong(devIno[1]) == ino
                ? JOURNAL : TEXT;
        }
        catch (final java.io.IOException | UnsupportedOperationException | NumberFormatException e)
        {
            // no /proc or no unix attribute view: trust the variable, as sd_journal_stream_fd's users do
            return JOURNAL;
        }
    }

    /** The syslog priority of a level: err 3, warning 4, info 6, debug 7 (RFC 5424 numbering). */
    static int priority(final Level level)
    {
        return switch (level)
        {
            case ERROR -> 3;
            case WARN -> 4;
            case INFO -> 6;
            case DEBUG, TRACE -> 7;
        };
    }

    private static String shortName(final String logger)
    {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    private static String stackTrace(final Throwable error)
    {
        final StringWriter out = new StringWriter();
        error.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** Appends text ending in a newline, putting the priority prefix before each of its continuation lines. */
    private static void appendPrefixed(final StringBuilder line, final String text, final String prefix)
    {
        int start = 0;
        for (int newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start))
        {
            line.append(text, start, newline).append('\n').append(prefix);
            start = newline + 1;
        }
        line.append(text, start, text.length()).append('\n');
    }
}
