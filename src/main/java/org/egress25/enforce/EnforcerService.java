package org.egress25.enforce;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.decision.Source;
import org.egress25.policy.BlockLadder;
import org.egress25.policy.Durations;
import org.egress25.policy.Policy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the enforcer thread: decisions arrive from any thread through {@link #submit} (never blocking), and
 * the thread takes them in batches of up to {@value #MAX_BATCH}, makes each batch durable in the journal,
 * updates the {@link BlockStore}, then hands it to every {@link Enforcer} it drives (nftables beside a
 * flowspec speaker, say: one journal, one store, each enforcer started, retried and reconciled on its own).
 * Journal first, so the kernel never holds a block that a crash would make egress25 forget.
 *
 * <p><b>Blocks only grow.</b> A block decision for a host already blocked never shortens it: the block keeps
 * the later expiry, its start and strike, and a manual block keeps its rule and reason when a detector fires
 * on the same host (after a restart the detector does not know the operator's block). The decision is
 * rewritten to that before it is journalled and enforced, so the kernel timeout, the journal and
 * {@code egress25 blocks} agree.
 *
 * <p><b>When the journal cannot be written</b> (a full disk), an operator's block or unblock is not made:
 * {@link #block} and {@link #unblock} throw {@link NotRecorded}, and the endpoint and CLI say so. A detector's
 * decision is still enforced (the kernel's own timeout bounds it) and kept in memory, written before any
 * later record once the disk takes it again (retried every {@value #JOURNAL_RETRY_SECONDS} s), and counted.
 *
 * <p><b>Reconcile.</b> Each enforcer is reconciled with the store at start, every {@code reconcileEvery}
 * (30 s by default) and whenever it asks after a recovery, so a table lost to {@code nft flush ruleset} is
 * back within one period; every correction is counted as drift. A kernel element the journal cannot account
 * for (damage at open, an empty or freshly mounted state directory) is never removed, only kept and reported.
 *
 * <p>If an enforcer cannot start (nft missing, no permission), detection goes on: decisions are still
 * journalled and listed, the failure is counted, and the start is retried with back-off (1 s doubling to
 * 60 s); when it succeeds, reconciliation brings the kernel in line with everything decided meanwhile. If it
 * refuses fatally (another live egress25 owns the table), {@link #start} throws and the instance must stop.
 *
 * <p>The counters are plain getters for the metrics collector; none is labelled by host.
 */
public final class EnforcerService implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(EnforcerService.class);
    static final int MAX_BATCH = 1024;
    private static final long POLL_MILLIS = 200;
    private static final Duration MANUAL_WAIT = Duration.ofSeconds(10);
    private static final long JOURNAL_RETRY_SECONDS = 5;
    /** Detector decisions held for the journal while the disk is full; past this the oldest are given up. */
    private static final int MAX_UNJOURNALLED = 65_536;
    public static final Duration DEFAULT_RECONCILE_EVERY = Duration.ofSeconds(30);

    /** Labels of the applied-decisions counter: action, rule and source, all bounded sets. */
    public record CounterKey(Action action, String rule, Source source)
    {
    }

    /** An operator's decision that was not made because the journal could not record it. */
    public static final class NotRecorded extends IllegalStateException
    {
        NotRecorded(final String message)
        {
            super(message);
        }
    }

    private record Item(Decision decision, CompletableFuture<Decision> done)
    {
    }

    /** One enforcer and where its start and reconcile stand. */
    private static final class Driven
    {
        final Enforcer enforcer;
        volatile boolean started;
        volatile ReconcileReport last;
        Duration backoff = Duration.ZERO;
        Instant nextStart = Instant.MIN;
        Instant nextReconcile = Instant.MIN;

        Driven(final Enforcer enforcer)
        {
            this.enforcer = enforcer;
        }
    }

    private final List<Driven> driven = new ArrayList<>();
    private final BlockJournal journal;
    private final BlockStore store;
    private final Duration strikeMemory;
    private final Duration reconcileEvery;
    private final Clock clock;
    private final BlockingQueue<Item> queue;
    private final Map<CounterKey, AtomicLong> applied = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong journalErrors = new AtomicLong();
    private final AtomicLong journalRetried = new AtomicLong();
    private final AtomicLong journalGivenUp = new AtomicLong();
    private final AtomicLong startErrors = new AtomicLong();
    private final AtomicLong drift = new AtomicLong();
    private final AtomicLong unaccountedKept = new AtomicLong();
    /** Kernel elements the journal could not account for, left alone until a decision names their host. */
    private final Set<String> unaccounted = ConcurrentHashMap.newKeySet();
    private final List<Decision> unjournalled = new ArrayList<>();
    private volatile int unjournalledCount;
    private Instant journalRetryAt = Instant.MIN;
    private final Thread thread;
    private volatile boolean running;
    private volatile ReconcileReport lastReconcile;
    private volatile Consumer<List<Decision>> reconcileListener = batch -> { };

    /**
     * @param journal       where blocks are made durable; null keeps them in memory only (replay, tests)
     * @param strikeMemory  the ladder's memory, for the strike number of manual blocks
     * @param queueCapacity decisions waiting for the enforcer thread before new ones are dropped and counted
     */
    public EnforcerService(final Enforcer enforcer, final BlockJournal journal, final Duration strikeMemory,
        final int queueCapacity, final Clock clock)
    {
        this(List.of(enforcer), journal, strikeMemory, queueCapacity, clock, DEFAULT_RECONCILE_EVERY);
    }

    /**
     * @param enforcers      every enforcer to drive, each given every decision
     * @param reconcileEvery how often each enforcer's outside state is checked against the store
     */
    public EnforcerService(final List<Enforcer> enforcers, final BlockJournal journal, final Duration strikeMemory,
        final int queueCapacity, final Clock clock, final Duration reconcileEvery)
    {
        if (enforcers.isEmpty())
        {
            throw new IllegalArgumentException("at least one enforcer (none for shadow mode)");
        }
        enforcers.forEach(e -> driven.add(new Driven(e)));
        this.journal = journal;
        this.store = journal == null ? new BlockStore() : journal.store();
        this.strikeMemory = strikeMemory;
        this.reconcileEvery = reconcileEvery;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = new Thread(this::loop, "egress25-enforcer");
        this.thread.setDaemon(true);
    }

    /** Told the decisions of every reconcile after the first (re-adds and removals), e.g. for the decisions log. */
    public void setReconcileListener(final Consumer<List<Decision>> listener)
    {
        reconcileListener = listener;
    }

    /**
     * Starts the enforcers, reconciles each with the journal and starts the enforcer thread. An enforcer that
     * fails is retried by the thread; the report says what happened.
     *
     * @throws IllegalStateException when an enforcer refuses fatally (another instance owns its table);
     *                               nothing was changed and the caller should stop
     */
    public ReconcileReport start()
    {
        if (running)
        {
            throw new IllegalStateException("already started");
        }
        final List<ActiveBlock> expired = journal == null ? List.of() : journal.expiredWhileDown();
        final boolean damaged = journal != null && !journal.damage().isEmpty();
        ReconcileReport merged = null;
        for (final Driven d : driven)
        {
            final ReconcileReport report = tryStart(d, expired, damaged);
            merged = merged == null ? report : merge(merged, report);
        }
        lastReconcile = merged;
        running = true;
        thread.start();
        return merged;
    }

    private static ReconcileReport merge(final ReconcileReport a, final ReconcileReport b)
    {
        return new ReconcileReport(concat(a.readded(), b.readded()), concat(a.removed(), b.removed()),
            a.expired(), concat(a.alreadyCorrect(), b.alreadyCorrect()), concat(a.decisions(), b.decisions()),
            a.applied() && b.applied(), a.error() != null ? a.error() : b.error(), concat(a.kept(), b.kept()));
    }

    private static <T> List<T> concat(final List<T> a, final List<T> b)
    {
        final List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Whether a reconcile may remove the host's outside element: only when the journal accounts for the host,
     * it was not left alone as unaccounted, and (at the first start) the journal had no damage.
     */
    private boolean mayRemove(final String host, final boolean damagedAtOpen)
    {
        if (unaccounted.contains(host))
        {
            return false;
        }
        return journal == null || !damagedAtOpen && journal.knows(host);
    }

    private ReconcileReport tryStart(final Driven d, final List<ActiveBlock> expired, final boolean damagedAtOpen)
    {
        final Enforcer enforcer = d.enforcer;
        final long errorsBefore = enforcer.errors();
        ReconcileReport report;
        try
        {
            enforcer.start();
            report = enforcer.reconcile(store, expired, host -> mayRemove(host, damagedAtOpen), clock.instant());
            noteKept(report);
            count(report.decisions());
            d.started = true;
            d.backoff = Duration.ZERO;
            d.nextReconcile = clock.instant().plus(reconcileEvery);
            LOG.info("enforcer {} started; {}", enforcer.name(), report.summary());
        }
        catch (final EnforcerException e)
        {
            if (e.fatal())
            {
                throw new IllegalStateException(e.getMessage(), e);
            }
            report = failedStart(d, errorsBefore, e, expired);
        }
        catch (final RuntimeException e)
        {
            report = failedStart(d, errorsBefore, e, expired);
        }
        d.last = report;
        lastReconcile = report;
        return report;
    }

    private ReconcileReport failedStart(final Driven d, final long errorsBefore, final Exception e,
        final List<ActiveBlock> expired)
    {
        if (d.enforcer.errors() == errorsBefore)
        {
            startErrors.incrementAndGet();  // the enforcer did not count this failure itself
        }
        d.backoff = d.backoff.isZero() ? Duration.ofSeconds(1) : Duration.ofSeconds(Math.min(60, d.backoff.toSeconds() * 2));
        d.nextStart = clock.instant().plus(d.backoff);
        LOG.error("enforcer {} could not start, blocks are recorded but not enforced; retrying in {}s: {}",
            d.enforcer.name(), d.backoff.toSeconds(), e.getMessage());
        return new ReconcileReport(List.of(), List.of(), hosts(expired), List.of(), List.of(), false, e.getMessage());
    }

    private void noteKept(final ReconcileReport report)
    {
        for (final String host : report.kept())
        {
            if (unaccounted.add(host))
            {
                unaccountedKept.incrementAndGet();
                LOG.warn("{}: in the kernel but unknown to the journal (damaged record, or an empty or freshly mounted"
                    + " --state-dir?); kept until its own timeout", host);
            }
        }
    }

    /** The periodic (or asked-for) reconcile of one started enforcer; corrections are counted as drift. */
    private void reconcileIfDue(final Driven d)
    {
        final Instant now = clock.instant();
        if (!d.enforcer.takeResyncRequest() && now.isBefore(d.nextReconcile))
        {
            return;
        }
        d.nextReconcile = now.plus(reconcileEvery);
        try
        {
            final ReconcileReport report = d.enforcer.reconcile(store, List.of(), host -> mayRemove(host, false), now);
            noteKept(report);
            count(report.decisions());
            d.last = report;
            lastReconcile = report;
            if (report.drift() > 0)
            {
                drift.addAndGet(report.drift());
                LOG.warn("enforcer {}: the outside state had drifted from the journal; {}", d.enforcer.name(),
                    report.summary());
                reconcileListener.accept(report.decisions());
            }
        }
        catch (final EnforcerException | RuntimeException e)
        {
            LOG.error("enforcer {}: reconcile failed, retried in {}s: {}", d.enforcer.name(), reconcileEvery.toSeconds(),
                e.getMessage());
        }
    }

    private static List<String> hosts(final List<ActiveBlock> blocks)
    {
        final List<String> hosts = new ArrayList<>();
        blocks.forEach(b -> hosts.add(b.host()));
        return hosts;
    }

    /**
     * Queues a decision for the enforcer thread. Never blocks: when the queue is full the decision is dropped,
     * counted in {@link #dropped()}, and false returned.
     */
    public boolean submit(final Decision decision)
    {
        if (queue.offer(new Item(decision, null)))
        {
            return true;
        }
        if (dropped.incrementAndGet() % 1000 == 1)
        {
            LOG.warn("enforcer queue full ({} waiting): {} of {} dropped ({} dropped so far)",
                queue.size(), decision.action().label(), decision.host(), dropped.get());
        }
        return false;
    }

    /**
     * An operator's block, e.g. from {@code egress25 block HOST --for 2h --reason ...}. Returns the block as
     * made (a host blocked for longer already keeps its later expiry) once it is journalled and handed to the
     * enforcers.
     *
     * @param details recorded with the decision (e.g. {@code forced: true} for a host outside every class)
     * @throws IllegalArgumentException for a bad address or duration
     * @throws NotRecorded              when the journal could not record it: the block was not made
     * @throws IllegalStateException    when the service is not running, its queue is full, or it did not answer
     */
    public Decision block(final String host, final Duration duration, final String reason, final Map<String, Object> details)
    {
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException("block duration must be positive, got " + duration);
        }
        if (duration.compareTo(BlockLadder.MAX_BLOCK) > 0)
        {
            throw new IllegalArgumentException("block duration " + Durations.text(duration) + " is longer than the kernel"
                + " can hold a block (" + Durations.text(BlockLadder.MAX_BLOCK) + ")");
        }
        final String canonical = canonical(host);
        final Instant now = clock.instant();
        checkOverlap(canonical, now);
        final boolean extension = store.active(canonical, now).isPresent();
        final int strikes = store.strikesWithin(canonical, now, strikeMemory) + (extension ? 0 : 1);
        final Map<String, Object> evidence = new LinkedHashMap<>(details);
        evidence.put("duration_seconds", duration.toSeconds());
        final String rule = Boolean.TRUE.equals(details.get("forced")) ? "manual-forced" : "manual";
        evidence.remove("rule");
        final Decision decision = new Decision(now, canonical, Action.BLOCK, rule, reason, now.plus(duration),
            evidence, Source.MANUAL, strikes);
        return submitAndWait(decision);
    }

    public Decision block(final String host, final Duration duration, final String reason)
    {
        return block(host, duration, reason, Map.of());
    }

    /**
     * An operator's unblock: removes the kernel element and ends the active block, keeping the host's strike
     * history for the ladder. Check {@link BlockStore#active} first to tell the operator whether the host was
     * blocked at all; the unblock is applied either way, which also clears a stray kernel element.
     *
     * @throws NotRecorded when the journal could not record it: the block stays
     */
    public Decision unblock(final String host, final String reason)
    {
        final String canonical = canonical(host);
        final Instant now = clock.instant();
        final String rule = store.active(canonical, now).map(ActiveBlock::rule).orElse("manual");
        final Decision decision = new Decision(now, canonical, Action.UNBLOCK, rule, reason, null, Map.of(),
            Source.MANUAL, store.strikesWithin(canonical, now, strikeMemory));
        return submitAndWait(decision);
    }

    /** An address or an IPv6 prefix ({@code 2001:db8:1:2::/64}) in the one text form store, journal and kernel share. */
    private static String canonical(final String host)
    {
        return HostKey.canonical(host);
    }

    /**
     * A prefix block may not overlap an active prefix block of another length: the kernel's interval set
     * refuses overlapping elements, and the whole transaction with them.
     */
    private void checkOverlap(final String canonical, final Instant now)
    {
        final HostKey key = HostKey.parse(canonical);
        if (!key.isPrefix())
        {
            return;
        }
        for (final ActiveBlock block : store.activeBlocks(now))
        {
            final HostKey other = block.host().indexOf('/') < 0 ? null : HostKey.parse(block.host());
            if (other != null && other.bits() != key.bits()
                && (other.covers(key.hi(), key.lo()) || key.covers(other.hi(), other.lo())))
            {
                throw new IllegalArgumentException(canonical + " overlaps the blocked prefix " + other.text()
                    + "; unblock that first");
            }
        }
    }

    private Decision submitAndWait(final Decision decision)
    {
        if (!running)
        {
            throw new IllegalStateException("the enforcer service is not running");
        }
        final CompletableFuture<Decision> done = new CompletableFuture<>();
        if (!queue.offer(new Item(decision, done)))
        {
            dropped.incrementAndGet();
            throw new IllegalStateException("enforcer queue is full (" + queue.size() + " waiting); try again");
        }
        try
        {
            return done.get(MANUAL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException e)
        {
            throw new IllegalStateException(decision.action().label() + " of " + decision.host() + " queued but not"
                + " yet journalled after " + MANUAL_WAIT.toSeconds() + " s; check egress25 blocks before repeating it");
        }
        catch (final ExecutionException e)
        {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the enforcer thread");
        }
    }

    private void loop()
    {
        final List<Item> items = new ArrayList<>(MAX_BATCH);
        while (running || !queue.isEmpty())
        {
            try
            {
                final Item first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                for (final Driven d : driven)
                {
                    if (!d.started && !clock.instant().isBefore(d.nextStart))
                    {
                        tryStart(d, List.of(), false);
                    }
                }
                if (first != null)
                {
                    items.add(first);
                    queue.drainTo(items, MAX_BATCH - 1);
                    process(items);
                    items.clear();
                }
                else
                {
                    retryJournal();
                }
                for (final Driven d : driven)
                {
                    if (d.started)
                    {
                        d.enforcer.retryFailed();
                        reconcileIfDue(d);
                    }
                }
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final RuntimeException e)
            {
                // a bug, not an operator's problem: log it, fail the waiting callers, keep the thread alive
                LOG.error("enforcer thread: unexpected error, batch of {} abandoned", items.size(), e);
                items.forEach(item -> fail(item, e));
                items.clear();
            }
        }
    }

    private static void fail(final Item item, final RuntimeException e)
    {
        if (item.done() != null)
        {
            item.done().completeExceptionally(e);
        }
    }

    private void process(final List<Item> items)
    {
        final Instant now = clock.instant();
        final List<Decision> batch = new ArrayList<>(items.size());
        final List<Decision> asMade = new ArrayList<>(items.size());
        for (final Item item : items)
        {
            final Decision made = store.extendOnly(item.decision(), now);
            batch.add(made);
            asMade.add(made);
        }
        List<Decision> toEnforce = batch;
        if (journal == null)
        {
            batch.forEach(store::apply);
        }
        else
        {
            try
            {
                if (!unjournalled.isEmpty())
                {
                    journal.write(unjournalled);   // older than the batch, so written first
                    journalRetried.addAndGet(unjournalled.size());
                    unjournalled.clear();
                    unjournalledCount = 0;
                }
                journal.record(batch);
            }
            catch (final IOException e)
            {
                toEnforce = journalFailed(items, asMade, e);
            }
        }
        for (final Decision d : toEnforce)
        {
            unaccounted.remove(d.host());
        }
        for (final Driven d : driven)
        {
            if (d.started)
            {
                d.enforcer.apply(toEnforce);
            }
        }
        count(toEnforce);
        for (int i = 0; i < items.size(); i++)
        {
            final Item item = items.get(i);
            if (item.done() != null && !item.done().isDone())
            {
                item.done().complete(asMade.get(i));
            }
        }
    }

    /**
     * The batch could not be journalled (the file is cut back to its last good record): an operator's decision
     * is refused with the reason; everything else is kept in the store and enforced, and held for the journal.
     */
    private List<Decision> journalFailed(final List<Item> items, final List<Decision> asMade, final IOException e)
    {
        journalErrors.incrementAndGet();
        final List<Decision> kept = new ArrayList<>();
        for (int i = 0; i < items.size(); i++)
        {
            final Item item = items.get(i);
            final Decision decision = asMade.get(i);
            if (item.done() != null)
            {
                item.done().completeExceptionally(new NotRecorded(decision.action().label() + " of " + decision.host()
                    + " NOT made: the block journal " + journal.file() + " cannot be written (" + e.getMessage()
                    + "); free space in the state directory and try again"));
                continue;
            }
            store.apply(decision);
            if (decision.action() != Action.ALERT)
            {
                unjournalled.add(decision);
            }
            kept.add(decision);
        }
        while (unjournalled.size() > MAX_UNJOURNALLED)
        {
            unjournalled.remove(0);
            journalGivenUp.incrementAndGet();
        }
        unjournalledCount = unjournalled.size();
        journalRetryAt = clock.instant().plusSeconds(JOURNAL_RETRY_SECONDS);
        LOG.error("block journal {}: cannot write ({}); {} operator decision(s) refused, {} detector decision(s)"
            + " enforced and held for the journal ({} waiting)", journal.file(), e.getMessage(),
            items.size() - kept.size(), kept.size(), unjournalled.size());
        return kept;
    }

    private void retryJournal()
    {
        if (unjournalled.isEmpty() || clock.instant().isBefore(journalRetryAt))
        {
            return;
        }
        try
        {
            journal.write(unjournalled);
            journalRetried.addAndGet(unjournalled.size());
            LOG.info("block journal {}: {} held decision(s) written after all", journal.file(), unjournalled.size());
            unjournalled.clear();
            unjournalledCount = 0;
        }
        catch (final IOException e)
        {
            journalErrors.incrementAndGet();
            journalRetryAt = clock.instant().plusSeconds(JOURNAL_RETRY_SECONDS);
        }
    }

    private void count(final List<Decision> batch)
    {
        for (final Decision decision : batch)
        {
            if (decision.action() != Action.ALERT)
            {
                applied.computeIfAbsent(new CounterKey(decision.action(), decision.rule(), decision.source()),
                    k -> new AtomicLong()).incrementAndGet();
            }
        }
    }

    public BlockStore store()
    {
        return store;
    }

    /** The first enforcer (the only one, in most set-ups). */
    public Enforcer enforcer()
    {
        return driven.get(0).enforcer;
    }

    public List<Enforcer> enforcers()
    {
        final List<Enforcer> list = new ArrayList<>();
        driven.forEach(d -> list.add(d.enforcer));
        return list;
    }

    /** Names of the started enforcers that hold the host's block now, for {@code egress25 blocks}. */
    public List<String> enforcedBy(final String host)
    {
        final List<String> names = new ArrayList<>();
        for (final Driven d : driven)
        {
            if (d.started && d.enforcer.holds(host))
            {
                names.add(d.enforcer.name());
            }
        }
        return names;
    }

    /** Loads the class-level policy into every enforcer that has one; true when all took it. */
    public boolean applyPolicy(final Policy policy, final Instant now)
    {
        boolean ok = true;
        for (final Driven d : driven)
        {
            ok &= d.enforcer.applyPolicy(policy, now);
        }
        return ok;
    }

    /** True once every enforcer has started; false while a failed start is being retried. */
    public boolean enforcerStarted()
    {
        for (final Driven d : driven)
        {
            if (!d.started)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether what egress25 reports is what is enforced: every enforcer started and healthy (its table there,
     * its last reconcile applied). For {@code egress25_enforcer_up}.
     */
    public boolean up()
    {
        for (final Driven d : driven)
        {
            if (!d.started || !d.enforcer.healthy())
            {
                return false;
            }
        }
        return true;
    }

    /** The reconciliation of the most recent start or periodic reconcile. */
    public ReconcileReport lastReconcile()
    {
        return lastReconcile;
    }

    /** Blocks and unblocks handled, by action, rule and source (reconcile included). */
    public Map<CounterKey, Long> applied()
    {
        final Map<CounterKey, Long> snapshot = new HashMap<>();
        applied.forEach((k, v) -> snapshot.put(k, v.get()));
        return snapshot;
    }

    /** Blocks in force now for one address family. */
    public int activeBlocks(final boolean ipv6)
    {
        return store.activeCount(ipv6, clock.instant());
    }

    /** Decisions lost because the queue was full. */
    public long dropped()
    {
        return dropped.get();
    }

    public int queueDepth()
    {
        return queue.size();
    }

    /** Every enforcement failure: the enforcers' own, failed starts, and journal writes. */
    public long errors()
    {
        long sum = startErrors.get() + journalErrors.get();
        for (final Driven d : driven)
        {
            sum += d.enforcer.errors();
        }
        return sum;
    }

    /** Failed journal writes (each failed batch or retry once). */
    public long journalErrors()
    {
        return journalErrors.get();
    }

    /** Records that could not be read when the journal was opened. */
    public long journalDamaged()
    {
        return journal == null ? 0 : journal.damage().size();
    }

    /** Detector decisions enforced but not yet journalled (the disk was full), waiting for a retry. */
    public int journalUnwritten()
    {
        return unjournalledCount;
    }

    /** Held detector decisions written on a later try. */
    public long journalRetried()
    {
        return journalRetried.get();
    }

    /** Held detector decisions given up because more than {@value #MAX_UNJOURNALLED} were waiting. */
    public long journalGivenUp()
    {
        return journalGivenUp.get();
    }

    /** Corrections periodic reconciles made to outside state (elements re-added or removed). */
    public long drift()
    {
        return drift.get();
    }

    /** Kernel elements found that the journal could not account for, kept until their own timeout. */
    public long unaccountedKept()
    {
        return unaccountedKept.get();
    }

    /** Applies what is queued, stops the thread, then closes the enforcers and the journal. */
    @Override
    public void close()
    {
        running = false;
        if (thread.isAlive())
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(15));
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }
        driven.forEach(d -> d.enforcer.close());
        if (journal != null)
        {
            try
            {
                journal.close();
            }
            catch (final IOException e)
            {
                LOG.warn("block journal {}: close failed: {}", journal.file(), e.getMessage());
            }
        }
    }
}
