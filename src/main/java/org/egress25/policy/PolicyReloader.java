package org.egress25.policy;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the rules without a restart, on SIGHUP and when a rule file changes, and only ever applies a
 * policy that loaded completely.
 *
 * <p>One daemon thread watches the rules directory (the parent directory for a single file) with the
 * JDK's {@link WatchService}. Editors and deploy tools write a file in several steps (truncate and write,
 * or write a temporary file and rename it; a Kubernetes ConfigMap swaps a symlink), so events are
 * debounced: the reload runs once the directory has been quiet for {@value #DEBOUNCE_MILLIS} ms. A file
 * event that leaves the rules text as it was (same hash) applies nothing. SIGHUP reloads within
 * {@value #SIGNAL_POLL_MILLIS} ms, always.
 *
 * <p>A reload loads everything again from scratch with {@link PolicyLoader#load}, runs the post-processor
 * (which re-applies {@code --inside}), and hands the result to the consumer; the consumer swaps it in
 * between events (a volatile write the pipeline reads per batch), so per-host state is untouched. On any
 * error the consumer is not called, the running policy stays, and every problem is logged as
 * {@code file:line:column: message}. Counters by result, the last reload time and the active hash feed
 * {@code egress25_rules_reload_total{result}} and its companions.
 */
public final class PolicyReloader implements AutoCloseable
{
    /** Quiet time after the last file event before reloading: long enough to cover a save, short for a human. */
    static final long DEBOUNCE_MILLIS = 200;

    /** How soon a SIGHUP is acted on. */
    private static final long SIGNAL_POLL_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

    private final Path path;
    private final UnaryOperator<Policy> postProcess;
    private final Consumer<Policy> onReload;
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean hangup = new AtomicBoolean();
    private final Object lock = new Object();

    private volatile Policy current;
    private volatile Instant lastReload;
    private volatile Instant activeSince;
    private volatile boolean lastSucceeded = true;
    private volatile List<Problem> lastProblems = List.of();
    private volatile boolean running;
    private WatchService watcher;
    private Thread thread;
    private HangupSignal signal;

    /**
     * @param path        the rules file or directory the initial policy was loaded from
     * @param initial     the policy running now (already post-processed)
     * @param postProcess applied to every newly loaded policy before it is handed on (e.g. {@code --inside})
     * @param onReload    receives each successfully loaded policy; called on the reloader's thread
     */
    public PolicyReloader(
        final Path path, final Policy initial, final UnaryOperator<Policy> postProcess, final Consumer<Policy> onReload)
    {
        this.path = path.toAbsolutePath().normalize();
        this.current = initial;
        this.activeSince = Instant.now();
        this.postProcess = postProcess;
        this.onReload = onReload;
    }

    /**
     * Starts watching the rules and, when {@code handleSignal}, takes over SIGHUP for the process (a
     * second reloader would take it over again; the gateway runs one).
     *
     * @throws IOException when the directory cannot be watched
     */
    public PolicyReloader start(final boolean handleSignal) throws IOException
    {
        final Path directory = Files.isDirectory(path) ? path : path.getParent();
        watcher = FileSystems.getDefault().newWatchService();
        directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
        running = true;
        thread = new Thread(this::watch, "egress25-rules-reloader");
        thread.setDaemon(true);
        thread.start();
        if (handleSignal)
        {
            final String[] whyNot = new String[1];
            signal = HangupSignal.install(this::requestReload, whyNot);
            if (signal == null)
            {
                LOG.warn("SIGHUP cannot be handled here ({}); rules reload only when {} changes", whyNot[0], path);
            }
        }
        LOG.info("watching {} for rule changes{}", path, signal != null ? " and SIGHUP" : "");
        return this;
    }

    /** True when SIGHUP is handled by this reloader (so sending it will not terminate the process). */
    public boolean handlesSignal()
    {
        return signal != null;
    }

    /** Asks for a reload as SIGHUP does: the watcher thread runs it at once. Safe from any thread. */
    public void requestReload()
    {
        hangup.set(true);
    }

    /**
     * Loads the rules now and applies them if they are valid. Returns true when a new policy was applied.
     * Thread-safe; reloads never overlap.
     */
    public boolean reload()
    {
        return reload(true);
    }

    private boolean reload(final boolean evenIfUnchanged)
    {
        synchronized (lock)
        {
            final Policy loaded;
            try
            {
                loaded = postProcess.apply(PolicyLoader.load(path));
            }
            catch (final PolicyException e)
            {
                failures.incrementAndGet();
                lastReload = Instant.now();
                lastSucceeded = false;
                lastProblems = e.problems();
                LOG.error("rules reload from {} refused; still running rules {}: {}", path, shortHash(current), e.getMessage());
                return false;
            }
            catch (final RuntimeException e)
            {
                failures.incrementAndGet();
                lastReload = Instant.now();
                lastSucceeded = false;
                LOG.error("rules reload from {} failed; still running rules {}", path, shortHash(current), e);
                return false;
            }
            if (!evenIfUnchanged && loaded.hash().equals(current.hash()))
            {
                return false;
            }
            onReload.accept(loaded);
            current = loaded;
            successes.incrementAndGet();
            lastReload = Instant.now();
            activeSince = lastReload;
            lastSucceeded = true;
            lastProblems = loaded.notes();
            LOG.info("rules reloaded from {}: {} classes, {} exemptions, hash {}", path, loaded.classes().size(),
                loaded.exemptions().list().size(), shortHash(loaded));
            for (final Problem note : loaded.notes())
            {
                LOG.warn("{}", note);
            }
            return true;
        }
    }

    /** Reloads by result: {@code "success"} or {@code "failure"}; 0 for any other label. */
    public long reloads(final String result)
    {
        switch (result)
        {
            case "success":
                return successes.get();
            case "failure":
                return failures.get();
            default:
                return 0;
        }
    }

    /** When the last reload attempt (either result) finished, or null before the first. */
    public Instant lastReload()
    {
        return lastReload;
    }

    /** Whether the last reload attempt applied its rules (true before any attempt). */
    public boolean lastReloadSucceeded()
    {
        return lastSucceeded;
    }

    /** When the rules in force were applied: the last successful reload, or when this reloader was made. */
    public Instant activeSince()
    {
        return activeSince;
    }

    /** Problems of the last attempt: the errors of a refused reload, or the notes of an applied one. */
    public List<Problem> lastProblems()
    {
        return lastProblems;
    }

    /** SHA-256 of the rules in force. */
    public String activeHash()
    {
        return current.hash();
    }

    public Policy current()
    {
        return current;
    }

    private void watch()
    {
        long quietSince = 0;
        boolean pending = false;
        while (running)
        {
            try
            {
                if (hangup.getAndSet(false))
                {
                    LOG.info("SIGHUP: reloading rules from {}", path);
                    reload(true);
                    pending = false;
                }
                // polled rather than woken by interrupt: an interrupt during a reload would close the file
                // channel being read (ClosedByInterruptException) and fail a good reload
                final WatchKey key = watcher.poll(pending
                    ? Math.max(1, DEBOUNCE_MILLIS - (System.nanoTime() - quietSince) / 1_000_000)
                    : SIGNAL_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (key != null)
                {
                    for (final WatchEvent<?> event : key.pollEvents())
                    {
                        LOG.debug("rules directory event {} {}", event.kind(), event.context());
                    }
                    if (!key.reset())
                    {
                        LOG.warn("{} can no longer be watched (removed or replaced?); rules reload on SIGHUP only",
                            path);
                    }
                    pending = true;
                    quietSince = System.nanoTime();
                }
                else if (pending && System.nanoTime() - quietSince >= TimeUnit.MILLISECONDS.toNanos(DEBOUNCE_MILLIS))
                {
                    pending = false;
                    reload(false);
                }
            }
            catch (final InterruptedException e)
            {
                return;
            }
            catch (final ClosedWatchServiceException e)
            {
                return;
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        if (signal != null)
        {
            signal.close();
            signal = null;
        }
        if (watcher != null)
        {
            try
            {
                watcher.close();
            }
            catch (final IOException e)
            {
                LOG.debug("closing the rules watcher", e);
            }
        }
        final Thread t = thread;
        if (t != null)
        {
            t.interrupt();
            try
            {
                t.join(TimeUnit.SECONDS.toMillis(2));
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String shortHash(final Policy policy)
    {
        final String hash = policy.hash();
        return hash.length() > 12 ? hash.substring(0, 12) : hash;
    }
}
