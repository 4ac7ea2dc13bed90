package org.egress25.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The running gateway's process id in a file, for {@code kill -HUP "$(cat FILE)"}: {@code pidof -s java} picks
 * whichever Java process comes first, and SIGHUP's default action terminates a process that does not handle
 * it. Written through a temporary file and a rename, so a reader never sees it half-written, and only once
 * SIGHUP is handled; removed at a clean stop.
 */
final class PidFile
{
    private PidFile()
    {
    }

    static void write(final Path file) throws IOException
    {
        final Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        final Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        Files.writeString(temporary, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes the file if it still names this process (a second instance may have taken it over). */
    static void remove(final Path file)
    {
        try
        {
            if (Files.readString(file, StandardCharsets.US_ASCII).strip().equals(Long.toString(ProcessHandle.current().pid())))
            {
                Files.delete(file);
            }
        }
        catch (final IOException e)
        {
            // gone already, or never written: nothing to clean up
        }
    }
}
