package org.egress25.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real {@code target/egress25.jar} started as a separate process, as an operator would run it, with its
 * standard error collected line by line so tests can wait for "running on ..." and show it on failure.
 */
public final class Egress25Process implements AutoCloseable
{
    private final Process process;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<String> stdout = new CopyOnWriteArrayList<>();

    private Egress25Process(final Process process)
    {
        this.process = process;
        pump(process.getErrorStream(), stderr, "stderr");
        pump(process.getInputStream(), stdout, "stdout");
    }

    public static Path jar()
    {
        final Path jar = Path.of("target", "egress25.jar").toAbsolutePath();
        if (!Files.exists(jar))
        {
            throw new IllegalStateException("target/egress25.jar is missing: integration tests run after `mvn package`");
        }
        return jar;
    }

    /** Starts {@code java -jar egress25.jar ARGS}, optionally inside a network namespace. */
    public static Egress25Process start(final String namespace, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        if (namespace != null)
        {
            command.addAll(List.of("ip", "netns", "exec", namespace));
        }
        command.addAll(List.of(javaBinary(), "-Xmx512m", "-jar", jar().toString()));
        command.addAll(List.of(args));
        return new Egress25Process(new ProcessBuilder(command).start());
    }

    /** Runs {@code egress25 ARGS --control-socket SOCKET} in {@code namespace}: an operator command against a running instance. */
    public static Shell.Result control(final NetNs net, final String namespace, final Path socket, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--control-socket", socket.toString()));
        return net.exec(namespace, command);
    }

    private static String javaBinary()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void pump(final java.io.InputStream in, final List<String> lines, final String name)
    {
        final Thread t = new Thread(() ->
        {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException e)
            {
                // process gone
            }
        }, "egress25-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Waits until a line of standard error matches; fails with the whole output if the process dies. */
    public String awaitStderr(final Predicate<String> match, final long timeoutMillis) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline)
        {
            for (final String line : stderr)
            {
                if (match.test(line))
                {
                    return line;
                }
            }
            if (!process.isAlive())
            {
                Thread.sleep(200);
                throw new AssertionError("egress25 exited with " + process.exitValue() + ":\n" + output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for egress25; its output:\n" + output());
    }

    public String output()
    {
        return "--- stderr\n" + String.join("\n", stderr) + "\n--- stdout\n" + String.join("\n", stdout);
    }

    public List<String> stdoutLines()
    {
        return stdout;
    }

    public Process process()
    {
        return process;
    }

    public long pid()
    {
        return process.pid();
    }

    /** SIGTERM and wait; returns the exit code. */
    public int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    public int waitFor(final long timeoutSeconds) throws InterruptedException
    {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("egress25 did not finish in " + timeoutSeconds + " s:\n" + output());
        }
        Thread.sleep(100); // let the pumps drain
        return process.exitValue();
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
    }
}
