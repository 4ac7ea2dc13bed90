package org.egress25.enforce;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process with a hard deadline. Output goes to a temporary file rather than a pipe so a child
 * that writes a lot cannot stall on a full pipe while we wait for it, and we need no reader thread; the file
 * costs microseconds, against the 10+ ms that starting the child takes.
 */
final class Processes
{
    /** Output kept for messages; {@code nft} errors are a few lines, a listing is read in full. */
    static final int MESSAGE_LIMIT = 4096;

    record Result(int exitCode, boolean timedOut, String output)
    {
        boolean ok()
        {
            return !timedOut && exitCode == 0;
        }

        /** First lines of the output, for a log line or an error counter's last message. */
        String excerpt()
        {
            final String trimmed = output.strip();
            return trimmed.length() <= MESSAGE_LIMIT ? trimmed : trimmed.substring(0, MESSAGE_LIMIT) + " ...";
        }
    }

    private Processes()
    {
    }

    /**
     * @param stdin text written to the child's standard input, which is then closed
     * @param env   extra environment variables
     * @throws IOException when the program cannot be started (missing, not executable)
     */
    static Result run(final List<String> command, final String stdin, final Duration timeout, final Map<String, String> env)
        throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("egress25-", ".out");
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
            builder.environment().putAll(env);
            final Process process = builder.start();
            try (OutputStream in = process.getOutputStream())
            {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            catch (final IOException e)
            {
                // the child exited or closed stdin without reading it all; its exit code says whether that mattered
            }
            final boolean finished;
            try
            {
                finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException e)
            {
                kill(process);  // shutting down: leave no child behind
                throw e;
            }
            if (!finished)
            {
                kill(process);
                return new Result(-1, true, Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), false, Files.readString(out, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }

    /** Kills the child and whatever it started (a shell script's own children would otherwise linger). */
    static void kill(final Process process)
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(1, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
