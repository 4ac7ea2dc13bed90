package org.egress25.decision;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON Lines files that must survive a full disk, a torn write and a stray edit: the block journal and the
 * decisions log. Three rules, one per way they were lost before:
 *
 * <ol>
 *   <li><b>A failed append leaves the file as it was.</b> {@link Appender} remembers the size after the last
 *       good append; when a write fails (ENOSPC after half a record, EIO) the file is truncated back to it, which
 *       needs no free space. Without this, a torn fragment (<code>{"event":"block","time</code>) stayed in the file
 *       and the next good record was glued onto its line, so both were lost at the next start.</li>
 *   <li><b>A damaged line costs at most itself.</b> {@link #read} parses line by line; a line that is not one
 *       JSON object is tried again from each later <code>{"</code>, so a good record glued to a fragment (a
 *       file written by an older egress25, or a crash between write and truncate) is still found. What cannot
 *       be read is returned as {@link Damage} with its line number, never thrown.</li>
 *   <li><b>A damaged file is kept aside.</b> Before anything rewrites a file that had damage, {@link #keepAside}
 *       copies it beside itself, so the operator can see what was lost.</li>
 * </ol>
 */
public final class JsonLines
{
    /** A record read back, with its 1-based line number for messages. */
    public record Line(int number, JsonNode node)
    {
    }

    /** What could not be read: where, the start of the text, and why. */
    public record Damage(int number, String excerpt, String why)
    {
        @Override
        public String toString()
        {
            return "line " + number + ": " + why + " (" + excerpt + ")";
        }
    }

    /** The readable records in file order, and the damage met on the way. */
    public record Contents(List<Line> lines, List<Damage> damage)
    {
    }

    private static final int EXCERPT = 60;

    private JsonLines()
    {
    }

    /** Reads every line of {@code file}; an absent file reads as empty. */
    public static Contents read(final Path file) throws IOException
    {
        final List<Line> lines = new ArrayList<>();
        final List<Damage> damage = new ArrayList<>();
        if (!Files.exists(file))
        {
            return new Contents(lines, damage);
        }
        // decoded leniently: a write torn inside a multi-byte character must cost that record, not the start
        final String[] texts = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < texts.length; i++)
        {
            final String text = texts[i].strip();
            if (text.isEmpty())
            {
                continue;
            }
            final JsonNode whole = object(text);
            if (whole != null)
            {
                lines.add(new Line(i + 1, whole));
                continue;
            }
            JsonNode glued = null;
            for (int at = text.indexOf("{\"", 1); at > 0 && glued == null; at = text.indexOf("{\"", at + 1))
            {
                glued = object(text.substring(at));
            }
            final boolean tail = restBlank(texts, i + 1);
            damage.add(new Damage(i + 1, excerpt(text), glued != null
                ? "torn fragment before a good record, fragment dropped"
                : tail ? "torn last record (a crash or full disk cut its write short)" : "unreadable record"));
            if (glued != null)
            {
                lines.add(new Line(i + 1, glued));
            }
        }
        return new Contents(lines, damage);
    }

    private static boolean restBlank(final String[] texts, final int from)
    {
        for (int i = from; i < texts.length; i++)
        {
            if (!texts[i].isBlank())
            {
                return false;
            }
        }
        return true;
    }

    private static JsonNode object(final String text)
    {
        try
        {
            final JsonNode node = DecisionJson.MAPPER.readTree(text);
            return node != null && node.isObject() ? node : null;
        }
        catch (final JsonProcessingException e)
        {
            return null;
        }
    }

    private static String excerpt(final String text)
    {
        return text.length() <= EXCERPT ? text : text.substring(0, EXCERPT) + "...";
    }

    /**
     * Copies a damaged file to {@code FILE.damaged-<epoch millis>} beside it, before it is rewritten.
     *
     * @return the copy
     */
    public static Path keepAside(final Path file, final Instant now) throws IOException
    {
        final Path copy = file.resolveSibling(file.getFileName() + ".damaged-" + now.toEpochMilli());
        Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
        return copy;
    }

    /**
     * Appends whole records or nothing. Opening a file whose last line is torn (no final newline) ends that
     * line first, so the next record never lands on the fragment's line.
     */
    public static final class Appender implements Closeable
    {
        private final Path file;
        private final boolean sync;
        private final FileChannel channel;
        private long goodSize;

        private Appender(final Path file, final boolean sync, final FileChannel channel, final long goodSize)
        {
            this.file = file;
            this.sync = sync;
            this.channel = channel;
            this.goodSize = goodSize;
        }

        /** @param sync {@code fdatasync} after every append (the journal); false leaves it to the kernel */
        public static Appender open(final Path file, final boolean sync) throws IOException
        {
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
            try
            {
                long size = channel.size();
                if (size > 0)
                {
                    final ByteBuffer last = ByteBuffer.allocate(1);
                    channel.read(last, size - 1);
                    if (last.get(0) != '\n')
                    {
                        channel.write(ByteBuffer.wrap(new byte[] {'\n'}), size);
                        size++;
                    }
                }
                channel.position(size);
                return new Appender(file, sync, channel, size);
            }
            catch (final IOException e)
            {
                channel.close();
                throw e;
            }
        }

        /**
         * Writes {@code text} (whole lines, each ending in a newline) at the end of the file, synced if asked.
         * On failure the file is cut back to its size before the call and the failure is thrown.
         */
        public void append(final String text) throws IOException
        {
            final ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            try
            {
                if (channel.size() > goodSize)
                {
                    channel.truncate(goodSize);   // a cut-back that failed last time
                }
                channel.position(goodSize);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                if (sync)
                {
                    channel.force(false);
                }
                goodSize = channel.position();
            }
            catch (final IOException e)
            {
                try
                {
                    channel.truncate(goodSize);   // shrinking a file needs no free blocks
                    if (sync)
                    {
                        channel.force(false);
                    }
                }
                catch (final IOException again)
                {
                    e.addSuppressed(again);       // cut back before the next append instead
                }
                throw e;
            }
        }

        public Path file()
        {
            return file;
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }
}
