package org.egress25.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an operator's program once per decision (RADIUS CoA, a ticket, a note to the subscriber), with the
 * decision as one line of {@link DecisionJson} on stdin and {@code EGRESS25_ACTION}, {@code EGRESS25_HOST}
 * and {@code EGRESS25_RULE} in the environment for scripts that would rather not parse JSON.
 *
 * <p>The command's arguments may hold placeholders, replaced inside each argument as plain text:
 * {@code {action}} (block, unblock, alert), {@code {host}} (canonical address), {@code {expires}} (ISO-8601
 * UTC, empty for unblocks, alerts and blocks without expiry) and {@code {rule}}. The program is started
 * directly, never through a shell, so a value can never become a second command or option boundary: one
 * argument stays one argument whatever it holds.
 *
 * <p>Runs happen on a small pool ({@code concurrency} threads, {@code queueCapacity} waiting), so a slow or
 * hung program never blocks the enforcer thread, let alone the packet path; a run past {@code timeout} is
 * killed with its children. A full queue, a spawn error, a non-zero exit and a timeout each count as an
 * error; the decision is not retried, because the program's side effects (a ticket, an e-mail) are not known
 * to be idempotent.
 */
public final class ExecEnforcer implements Enforcer
{
    private static final Logger LOG = LoggerFactory.getLogger(ExecEnforcer.class);

    private final List<String> command;
    private final Duration timeout;
    private final ThreadPoolExecutor executor;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile String lastError;

    /**
     * @param command       program and arguments, run without a shell
     * @param timeout       a run taking longer is killed
     * @param concurrency   runs at once
     * @param queueCapacity decisions waiting for a free runner before new ones are refused and counted
     */
    public ExecEnforcer(final List<String> command, final Duration timeout, final int concurrency, final int queueCapacity)
    {
        if (command.isEmpty())
        {
            throw new IllegalArgumentException("exec enforcer needs a program to run");
        }
        if (timeout.isNegative() || timeout.isZero())
        {
            throw new IllegalArgumentException("exec timeout must be positive, got " + timeout);
        }
        if (concurrency < 1 || queueCapacity < 1)
        {
            throw new IllegalArgumentException("exec concurrency and queue capacity must be at least 1");
        }
        this.command = List.copyOf(command);
        this.timeout = timeout;
        final AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(concurrency, concurrency, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queueCapacity), runnable ->
            {
                final Thread thread = new Thread(runnable, "egress25-exec-" + threadNumber.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        this.executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public String name()
    {
        return "exec";
    }

    /** Fails fast when the program is not there, rather than on the first decision hours later. */
    @Override
    public void start() throws EnforcerException
    {
        final String program = command.get(0);
        if (program.indexOf('/') >= 0)
        {
            if (!Files.isExecutable(Path.of(program)))
            {
                throw new EnforcerException("exec enforcer: " + program + " does not exist or is not executable");
            }
        }
        else if (!onPath(program))
        {
            throw new EnforcerException("exec enforcer: '" + program + "' is not found on PATH");
        }
        LOG.info("exec enforcer: running {} per decision (timeout {} ms)", command, timeout.toMillis());
    }

    private static boolean onPath(final String program)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return false;
        }
        for (final String directory : path.split(":"))
        {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program)))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void apply(final List<Decision> batch)
    {
        for (final Decision decision : batch)
        {
            try
            {
                executor.execute(() -> run(decision));
            }
            catch (final RejectedExecutionException e)
            {
                rejected.incrementAndGet();
                fail("queue full or shut down, " + decision.action().label() + " of " + decision.host() + " not run");
            }
        }
    }

    private void run(final Decision decision)
    {
        final Map<String, String> env = Map.of(
            "EGRESS25_ACTION", decision.action().label(),
            "EGRESS25_HOST", decision.host(),
            "EGRESS25_RULE", decision.rule());
        try
        {
            final Processes.Result result = Processes.run(argv(command, decision), DecisionJson.toJson(decision) + "\n",
                timeout, env);
            if (result.timedOut())
            {
                timeouts.incrementAndGet();
                fail(command.get(0) + " for " + decision.action().label() + " of " + decision.host()
                    + " did not finish within " + timeout.toMillis() + " ms and was killed");
            }
            else if (result.exitCode() != 0)
            {
                fail(command.get(0) + " for " + decision.action().label() + " of " + decision.host()
                    + " exited " + result.exitCode() + ": " + result.excerpt());
            }
            else if (!result.output().isBlank())
            {
                LOG.debug("exec enforcer: {} said: {}", command.get(0), result.excerpt());
            }
        }
        catch (final IOException e)
        {
            fail("cannot run " + command + ": " + e.getMessage());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            runs.incrementAndGet();  // last, so a reader who sees the run also sees its error counted
        }
    }

    /** The command with its placeholders filled in from the decision, one argument for one argument. */
    static List<String> argv(final List<String> command, final Decision decision)
    {
        final String expires = decision.expires() == null ? "" : decision.expires().toString();
        final List<String> argv = new java.util.ArrayList<>(command.size());
        for (final String arg : command)
        {
            argv.add(arg.replace("{action}", decision.action().label()).replace("{host}", decision.host())
                .replace("{expires}", expires).replace("{rule}", decision.rule()));
        }
        return argv;
    }

    private void fail(final String message)
    {
        errors.incrementAndGet();
        lastError = message;
        LOG.error("exec enforcer: {}", message);
    }

    /** Runs finished (successfully or not), excluding decisions refused because the queue was full. */
    public long runs()
    {
        return runs.get();
    }

    public long timeouts()
    {
        return timeouts.get();
    }

    /** Decisions refused because {@code queueCapacity} runs were already waiting. */
    public long rejected()
    {
        return rejected.get();
    }

    @Override
    public long errors()
    {
        return errors.get();
    }

    @Override
    public String lastError()
    {
        return lastError;
    }

    /** Lets queued runs finish for up to one timeout, then kills what is left. */
    @Override
    public void close()
    {
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS))
            {
                executor.shutdownNow();
            }
        }
        catch (final InterruptedException e)
        {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
