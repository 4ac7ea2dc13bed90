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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * debounced: the reload runs once the directory has been quiet for {@value #DEBOUNCE_MILLIS} ms and then the
 * rule files' sizes and modification times have stayed the same for another {@value #DEBOUNCE_MILLIS} ms (events
 * can be coalesced or lost, a size and a time cannot). A file event that leaves the rules text as it was (same
 * hash) applies nothing. SIGHUP reloads within {@value #SIGNAL_POLL_MILLIS} ms, always.
 *
 * <p>An editor that saves in place ({@code cat new > exemptions.yaml}) empties the file first: an empty file is
 * refused by the loader, never read as an empty section. A half-written file may still parse, so a reload after
 * a file change that would remove more than {@code maxRemovedShare} of the running exemptions or classes, or a
 * whole rule file, is <em>held</em>: logged, counted as {@code result="held"}, and not applied, until SIGHUP,
 * which applies it (the operator's word, after {@code egress25 rules check}). Deploy tools should write a
 * temporary file and rename it over the old one, which no reader can see half-done.
 *
 * <p>A reload loads everything again from scratch with {@link PolicyLoader#load}, runs the post-processor
 * (which re-applies {@code --inside}), and hands the result to the consumer; the consumer swaps it in
 * between events (a volatile write the pipeline reads per batch), so per-host state is untouched. On any
 * error the consumer is not called, the running policy stays, and every problem is logged as
 * {@code file:line:column: message}. Counters by result, the last reload time and the active hash feed
 * {@code egress25_rules_reload_total{result}} and its companions. No input kills the thread: an
 * {@link Error} in a reload (a stack overflow, an exhausted heap) is a failed reload like any other, and the
 * watch loop goes on after anything it throws.
 */
public final class PolicyReloader implements AutoCloseable
{
    /** Quiet time after the last file event before reloading: long enough to cover a save, short for a human. */
    static final long DEBOUNCE_MILLIS = 200;

    /** Share of exemptions or classes a reload after a file change may remove before it is held (half). */
    public static final double DEFAULT_MAX_REMOVED_SHARE = 0.5;

    /** How soon a SIGHUP is acted on. */
    private static final long SIGNAL_POLL_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

    private final Path path;
    private final UnaryOperator<Policy> postProcess;
    private final Consumer<Policy> onReload;
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private final double maxRemovedShare;
    private final AtomicBoolean hangup = new AtomicBoolean();
    private final Object lock = new Object();

    private volatile Policy current;
    private volatile Instant lastReload;
    private volatile Instant activeSince;
    private volatile boolean lastSucceeded = true;
    private volatile List<String> currentFiles;
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
        this(path, initial, postProcess, onReload, DEFAULT_MAX_REMOVED_SHARE);
    }

    /**
     * @param maxRemovedShare share (0..1) of the running exemptions or classes a reload after a file change may
     *                        remove; one that removes more, or drops a rule file, is held until SIGHUP
     */
    public PolicyReloader(
        final Path path, final Policy initial, final UnaryOperator<Policy> postProcess, final Consumer<Policy> onReload,
        final double maxRemovedShare)
    {
        this.path = path.toAbsolutePath().normalize();
        this.current = initial;
        // the rules running at start were loaded and checked then: that is a successful load, at start time
        this.activeSince = Instant.now();
        this.lastReload = activeSince;
        this.postProcess = postProcess;
        this.onReload = onReload;
        this.maxRemovedShare = maxRemovedShare;
        this.currentFiles = fileNames();
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

    /**
     * Asks for a reload as SIGHUP does: the watcher thread runs it at once, and applies it even when it removes
     * much of the running rules. Safe from any thread.
     */
    public void requestReload()
    {
        hangup.set(true);
    }

    /**
     * Loads the rules now and applies them if they are valid, however much they remove (as SIGHUP does).
     * Returns true when a new policy was applied. Thread-safe; reloads never overlap.
     */
    public boolean reload()
    {
        return reload(true, true);
    }

    /**
     * @param evenIfUnchanged apply (and count) the rules even when their hash is the running one
     * @param forced          apply even a reload that removes more than {@code maxRemovedShare}
     */
    private boolean reload(final boolean evenIfUnchanged, final boolean forced)
    {
        synchronized (lock)
        {
            final List<String> files = fileNames();
            final Policy loaded;
            try
            {
                loaded = postProcess.apply(PolicyLoader.load(path));
            }
            catch (final PolicyException e)
            {
                refused(e.problems());
                LOG.error("rules reload from {} refused; still running rules {}: {}", path, shortHash(current), e.getMessage());
                return false;
            }
            catch (final RuntimeException | StackOverflowError | OutOfMemoryError e)
            {
                // any input that gets past the loader's limits costs this reload, never the thread
                refused(List.of(new Problem(path.toString(), 0, 0, Problem.Severity.ERROR, "reload failed: " + e)));
                LOG.error("rules reload from {} failed; still running rules {}", path, shortHash(current), e);
                return false;
            }
            if (!evenIfUnchanged && loaded.hash().equals(current.hash()))
            {
                if (!lastSucceeded)
                {
                    // the files are back to the rules in force: nothing to apply, but nothing is wrong any more
                    lastReload = Instant.now();
                    lastSucceeded = true;
                    lastProblems = loaded.notes();
                    LOG.info("rules in {} are again the running rules {}", path, shortHash(current));
                }
                return false;
            }
            final String removal = forced ? null : removal(loaded, files);
            if (removal != null)
            {
                lastReload = Instant.now();
                lastSucceeded = false;
                final String message = "reload held: it would remove " + removal + "; check the files with "
                    + "`egress25 rules check " + path + "` and send SIGHUP to apply them";
                lastProblems = List.of(new Problem(path.toString(), 0, 0, Problem.Severity.ERROR, message));
                held.incrementAndGet();  // last: whoever sees the count sees the problem and the state with it
                LOG.warn("rules {}; still running rules {}", message, shortHash(current));
                return false;
            }
            onReload.accept(loaded);
            current = loaded;
            currentFiles = files;
            lastReload = Instant.now();
            activeSince = lastReload;
            lastSucceeded = true;
            lastProblems = loaded.notes();
            successes.incrementAndGet();
            LOG.info("rules reloaded from {}: {} classes, {} exemptions, hash {}", path, loaded.classes().size(),
                loaded.exemptions().list().size(), shortHash(loaded));
            for (final Problem note : loaded.notes())
            {
                LOG.warn("{}", note);
            }
            return true;
        }
    }

    private void refused(final List<Problem> problems)
    {
        lastReload = Instant.now();
        lastSucceeded = false;
        lastProblems = problems;
        failures.incrementAndGet();
    }

    /** What {@code loaded} would remove of the running rules, when that is too much to apply unasked; else null. */
    private String removal(final Policy loaded, final List<String> files)
    {
        final List<String> gone = new ArrayList<>(currentFiles);
        gone.removeAll(files);
        if (!gone.isEmpty())
        {
            return "the rule file" + (gone.size() > 1 ? "s " : " ") + String.join(", ", gone);
        }
        final Set<String> kept = new HashSet<>();
        for (final Exemption exemption : loaded.exemptions().list())
        {
            kept.add(exemption.kind() + " " + exemption.network());
        }
        int removedExemptions = 0;
        final List<Exemption> running = current.exemptions().list();
        for (final Exemption exemption : running)
        {
            removedExemptions += kept.contains(exemption.kind() + " " + exemption.network()) ? 0 : 1;
        }
        if (removedExemptions > maxRemovedShare * running.size())
        {
            return removedExemptions + " of " + running.size() + " exemptions (more than "
                + Math.round(maxRemovedShare * 100) + "%)";
        }
        final Set<String> classes = new HashSet<>();
        for (final HostClass hostClass : loaded.classes())
        {
            classes.add(hostClass.name());
        }
        int removedClasses = 0;
        for (final HostClass hostClass : current.classes())
        {
            removedClasses += classes.contains(hostClass.name()) ? 0 : 1;
        }
        if (removedClasses > maxRemovedShare * current.classes().size())
        {
            return removedClasses + " of " + current.classes().size() + " classes (more than "
                + Math.round(maxRemovedShare * 100) + "%)";
        }
        return null;
    }

    /** Names of the rule files a directory holds now; empty for a single rules file, which cannot vanish unseen. */
    private List<String> fileNames()
    {
        if (!Files.isDirectory(path))
        {
            return List.of();
        }
        final List<String> names = new ArrayList<>();
        try
        {
            for (final Path file : PolicyLoader.ruleFiles(path))
            {
                names.add(file.getFileName().toString());
            }
        }
        catch (final PolicyException e)
        {
            LOG.debug("listing {}", path, e);
        }
        return names;
    }

    /** Size and modification time of every rule file, to see that a writer has finished. */
    private String fileState()
    {
        final StringBuilder state = new StringBuilder();
        try
        {
            final List<Path> files = Files.isDirectory(path) ? PolicyLoader.ruleFiles(path) : List.of(path);
            for (final Path file : files)
            {
                state.append(file.getFileName()).append(' ').append(Files.size(file)).append(' ')
                    .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
            }
        }
        catch (final PolicyException | IOException e)
        {
            state.append("unreadable: ").append(e.getMessage());
        }
        return state.toString();
    }

    /** Reloads by result: {@code "success"}, {@code "failure"} or {@code "held"}; 0 for any other label. */
    public long reloads(final String result)
    {
        switch (result)
        {
            case "success":
                return successes.get();
            case "failure":
                return failures.get();
            case "held":
                return held.get();
            default:
                return 0;
        }
    }

    /** When the last reload attempt (any result) finished; the start time before the first. */
    public Instant lastReload()
    {
        return lastReload;
    }

    /**
     * Whether the rule files are the rules in force: true at start, after a reload applied, and when the files
     * return to the running rules after a refused or held one; false after a refused or held reload.
     */
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
        String stableState = null;
        while (running)
        {
            try
            {
                if (hangup.getAndSet(false))
                {
                    LOG.info("SIGHUP: reloading rules from {}", path);
                    reload(true, true);
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
                    stableState = null;
                    quietSince = System.nanoTime();
                }
                else if (pending && System.nanoTime() - quietSince >= TimeUnit.MILLISECONDS.toNanos(DEBOUNCE_MILLIS))
                {
                    final String state = fileState();
                    if (state.equals(stableState))
                    {
                        pending = false;
                        stableState = null;
                        reload(false, false);
                    }
                    else
                    {
                        // a writer may still be busy: wait for one more quiet period with the same sizes and times
                        stableState = state;
                        quietSince = System.nanoTime();
                    }
                }
            }
            catch (final InterruptedException | ClosedWatchServiceException e)
            {
                return;
            }
            catch (final RuntimeException | Error e)
            {
                failures.incrementAndGet();
                lastSucceeded = false;
                LOG.error("rules watcher: unexpected error, still watching {}", path, e);
                pending = true;
                quietSince = System.nanoTime();
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
