package org.egress25.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real commands for the integration tests, with a hard timeout and the output kept for messages. */
public final class Shell
{
    private Shell()
    {
    }

    public record Result(int exitCode, String stdout, String stderr)
    {
        public Result orThrow(final String what)
        {
            if (exitCode != 0)
            {
                throw new IllegalStateException(what + " failed (exit " + exitCode + "): " + stderr.strip() + " " + stdout.strip());
            }
            return this;
        }
    }

    public static Result run(final String... command)
    {
        return run(Arrays.asList(command), 60);
    }

    public static Result run(final List<String> command, final long timeoutSeconds)
    {
        try
        {
            final Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            final byte[][] out = new byte[2][];
            final Thread errReader = new Thread(() -> out[1] = readAll(p.getErrorStream()));
            errReader.start();
            out[0] = readAll(p.getInputStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + command);
            }
            errReader.join();
            return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8),
                new String(out[1], StandardCharsets.UTF_8));
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(final java.io.InputStream in)
    {
        try
        {
            return in.readAllBytes();
        }
        catch (final IOException e)
        {
            return new byte[0];
        }
    }

    public static boolean isRoot()
    {
        return "root".equals(System.getProperty("user.name"));
    }

    public static boolean hasCommand(final String name)
    {
        return run(List.of("sh", "-c", "command -v " + name), 10).exitCode() == 0;
    }

    public static List<String> concat(final List<String> a, final String... b)
    {
        final List<String> all = new ArrayList<>(a);
        all.addAll(Arrays.asList(b));
        return all;
    }
}
