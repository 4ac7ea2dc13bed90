package org.egress25.decision;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes decisions as JSON Lines, one object per line, flushed after each batch so {@code tail -f} and
 * log shippers see a decision as soon as it is made. Appends to an existing file, so decisions from
 * earlier runs are kept.
 */
public final class DecisionLog implements DecisionListener
{
    private final BufferedWriter out;
    private final boolean closeStream;

    private DecisionLog(final BufferedWriter out, final boolean closeStream)
    {
        this.out = out;
        this.closeStream = closeStream;
    }

    public static DecisionLog toFile(final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        return new DecisionLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE), true);
    }

    public static DecisionLog toStream(final OutputStream stream)
    {
        return new DecisionLog(new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8)), false);
    }

    @Override
    public void onDecisions(final List<Decision> batch)
    {
        try
        {
            for (final Decision d : batch)
            {
                out.write(DecisionJson.toJson(d));
                out.write('\n');
            }
            out.flush();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("writing decisions: " + e.getMessage(), e);
        }
    }

    @Override
    public void onClose()
    {
        try
        {
            out.flush();
            if (closeStream)
            {
                out.close();
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
