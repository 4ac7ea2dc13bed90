package org.egress25.decision;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes decisions as JSON Lines, one object per line, written after each batch so {@code tail -f} and
 * log shippers see a decision as soon as it is made. Appends to an existing file, so decisions from
 * earlier runs are kept.
 *
 * <p>A file is repaired the way the block journal is ({@link JsonLines}): a torn last line left by a crash
 * is ended at open so the next decision starts on its own line; a write that fails (a full disk) is cut back
 * to the last whole line, counted in {@link #errors()} ({@code egress25_decisions_log_errors_total}), and
 * its lines are held in memory (up to {@value #MAX_HELD}) and written before the next batch, so the first
 * good write after the disk recovers also brings back what failed. Nothing is thrown into the dispatcher.
 */
public final class DecisionLog implements DecisionListener
{
    private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);
    /** Lines held while the file cannot be written; beyond this the oldest are given up and counted. */
    static final int MAX_HELD = 100_000;

    private final JsonLines.Appender file;
    private final BufferedWriter stream;
    private final Deque<String> held = new ArrayDeque<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile int heldCount;

    private DecisionLog(final JsonLines.Appender file, final BufferedWriter stream)
    {
        this.file = file;
        this.stream = stream;
    }

    public static DecisionLog toFile(final Path path) throws IOException
    {
        final Path parent = path.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        return new DecisionLog(JsonLines.Appender.open(path, false), null);
    }

    public static DecisionLog toStream(final OutputStream stream)
    {
        return new DecisionLog(null, new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8)));
    }

    @Override
    public void onDecisions(final List<Decision> batch)
    {
        for (final Decision d : batch)
        {
            held.addLast(DecisionJson.toJson(d) + "\n");
        }
        while (held.size() > MAX_HELD)
        {
            held.pollFirst();
            lost.incrementAndGet();
        }
        final StringBuilder text = new StringBuilder(held.size() * 256);
        held.forEach(text::append);
        try
        {
            if (file != null)
            {
                file.append(text.toString());
            }
            else
            {
                stream.write(text.toString());
                stream.flush();
            }
            if (errors.get() > 0 && held.size() > batch.size())
            {
                LOG.info("decisions log: {} held decision(s) written after earlier failures", held.size() - batch.size());
            }
            held.clear();
            heldCount = 0;
        }
        catch (final IOException e)
        {
            heldCount = held.size();
            if (errors.incrementAndGet() % 100 == 1)
            {
                LOG.error("decisions log {}: cannot write ({}); {} decision(s) held in memory and retried with the next"
                    + " batch ({} failure(s) so far)", file == null ? "stream" : file.file(), e.getMessage(),
                    held.size(), errors.get());
            }
        }
    }

    /** Failed writes since start. */
    public long errors()
    {
        return errors.get();
    }

    /** Decisions given up because more than {@value #MAX_HELD} were held. */
    public long lost()
    {
        return lost.get();
    }

    /** Decisions waiting for the file to take them again. */
    public int held()
    {
        return heldCount;
    }

    @Override
    public void onClose()
    {
        try
        {
            if (file != null)
            {
                file.close();
            }
            else
            {
                stream.flush();
            }
        }
        catch (final IOException e)
        {
            LOG.error("decisions log: close failed ({}); {} decision(s) not written", e.getMessage(), held.size());
        }
    }
}
