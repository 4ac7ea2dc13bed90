package org.egress25.enforce;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.egress25.decision.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.HostKey;
import org.egress25.decision.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the enforcer thread: decisions arrive from any thread through {@link #submit} (never blocking), and
 * the thread takes them in batches of up to {@value #MAX_BATCH}, makes each batch durable in the journal,
 * updates the {@link BlockStore}, then hands it to the {@link Enforcer}: journal first, so the kernel never
 * holds a block that a crash would make egress25 forget.
 *
 * <p>If the enforcer cannot start (nft missing, no permission), detection goes on: decisions are still
 * journalled and listed, the failure is counted, and the start is retried with back-off (1 s doubling to
 * 60 s); when it succeeds, reconciliation brings the kernel in line with everything decided meanwhile.
 *
 * <p>The counters are plain getters for the metrics collector; none is labelled by host.
 */
public final class EnforcerService implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(EnforcerService.class);
    static final int MAX_BATCH = 1024;
    private static final long POLL_MILLIS = 200;
    private static final Duration MANUAL_WAIT = Duration.ofSeconds(10);

    /** Labels of the applied-decisions counter: action, rule and source, all bounded sets. */
    public record CounterKey(Action action, String rule, Source source)
    {
    }

    private record Item(Decision decision, CompletableFuture<Void> done)
    {
    }

    private final Enforcer enforcer;
    private final BlockJournal journal;
    private final BlockStore store;
    private final Duration strikeMemory;
    private final Clock clock;
    private final BlockingQueue<Item> queue;
    private final Map<CounterKey, AtomicLong> applied = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong journalErrors = new AtomicLong();
    private final AtomicLong startErrors = new AtomicLong();
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean started;
    private volatile ReconcileReport lastReconcile;
    private Duration startBackoff = Duration.ZERO;
    private Instant nextStart = Instant.MIN;

    /**
     * @param journal       where blocks are made durable; null keeps them in memory only (replay, tests)
     * @param strikeMemory  the ladder's memory, for the strike number of manual blocks
     * @param queueCapacity decisions waiting for the enforcer thread before new ones are dropped and counted
     */
    public EnforcerService(final Enforcer enforcer, final BlockJournal journal, final Duration strikeMemory,
        final int queueCapacity, final Clock clock)
    {
        this.enforcer = enforcer;
        this.journal = journal;
        this.store = journal == null ? new BlockStore() : journal.store();
        this.strikeMemory = strikeMemory;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = new Thread(this::loop, "egress25-enforcer");
        this.thread.setDaemon(true);
    }

    /**
     * Starts the enforcer, reconciles the kernel with the journal and starts the enforcer thread. Never
     * throws for an enforcer failure: the report says what happened and the thread keeps retrying.
     */
    public ReconcileReport start()
    {
        if (running)
        {
            throw new IllegalStateException("already started");
        }
        final ReconcileReport report = tryStart();
        running = true;
        thread.start();
        return report;
    }

    private ReconcileReport tryStart()
    {
        final List<ActiveBlock> expired = journal == null ? List.of() : journal.expiredWhileDown();
        final long errorsBefore = enforcer.errors();
        ReconcileReport report;
        try
        {
            enforcer.start();
            if (enforcer instanceof NftablesEnforcer)
            {
                report = Reconciler.reconcile(store, expired, (NftablesEnforcer)enforcer, clock.instant());
                count(report.decisions());
            }
            else
            {
                report = ReconcileReport.notApplicable(hosts(expired));
            }
            started = true;
            startBackoff = Duration.ZERO;
            LOG.info("enforcer {} started; {}", enforcer.name(), report.summary());
        }
        catch (final EnforcerException | RuntimeException e)
        {
            if (enforcer.errors() == errorsBefore)
            {
                startErrors.incrementAndGet();  // the enforcer did not count this failure itself
            }
            startBackoff = startBackoff.isZero() ? Duration.ofSeconds(1)
                : Duration.ofSeconds(Math.min(60, startBackoff.toSeconds() * 2));
            nextStart = clock.instant().plus(startBackoff);
            LOG.error("enforcer {} could not start, blocks are recorded but not enforced; retrying in {}s: {}",
                enforcer.name(), startBackoff.toSeconds(), e.getMessage());
            report = new ReconcileReport(List.of(), List.of(), hosts(expired), List.of(), List.of(), false, e.getMessage());
        }
        lastReconcile = report;
        return report;
    }

    /** After nftables recovered from failures, puts back every block the store holds (the table may have been lost). */
    private void resyncIfAsked()
    {
        if (!(enforcer instanceof NftablesEnforcer) || !((NftablesEnforcer)enforcer).takeResyncRequest())
        {
            return;
        }
        try
        {
            final ReconcileReport report = Reconciler.reconcile(store, List.of(), (NftablesEnforcer)enforcer, clock.instant());
            count(report.decisions());
            lastReconcile = report;
            LOG.warn("nftables recovered from failures; {}", report.summary());
        }
        catch (final EnforcerException e)
        {
            LOG.error("nftables recovered but its sets cannot be read for a reconcile: {}", e.getMessage());
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
     * An operator's block, e.g. from {@code egress25 block HOST --for 2h --reason ...}. Returns once the block
     * is journalled and handed to the enforcer (or after 10 s).
     *
     * @throws IllegalArgumentException for a bad address or duration
     * @throws IllegalStateException when the service is not running or its queue is full
     */
    public Decision block(final String host, final Duration duration, final String reason)
    {
        if (duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException("block duration must be positive, got " + duration);
        }
        final String canonical = canonical(host);
        final Instant now = clock.instant();
        checkOverlap(canonical, now);
        final boolean extension = store.active(canonical, now).isPresent();
        final int strikes = store.strikesWithin(canonical, now, strikeMemory) + (extension ? 0 : 1);
        final Decision decision = new Decision(now, canonical, Action.BLOCK, "manual", reason, now.plus(duration),
            Map.of("duration_seconds", duration.toSeconds()), Source.MANUAL, strikes);
        submitAndWait(decision);
        return decision;
    }

    /**
     * An operator's unblock: removes the kernel element and ends the active block, keeping the host's strike
     * history for the ladder. Check {@link BlockStore#active} first to tell the operator whether the host was
     * blocked at all; the unblock is applied either way, which also clears a stray kernel element.
     */
    public Decision unblock(final String host, final String reason)
    {
        final String canonical = canonical(host);
        final Instant now = clock.instant();
        final String rule = store.active(canonical, now).map(ActiveBlock::rule).orElse("manual");
        final Decision decision = new Decision(now, canonical, Action.UNBLOCK, rule, reason, null, Map.of(),
            Source.MANUAL, store.strikesWithin(canonical, now, strikeMemory));
        submitAndWait(decision);
        return decision;
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

    private void submitAndWait(final Decision decision)
    {
        if (!running)
        {
            throw new IllegalStateException("the enforcer service is not running");
        }
        final CompletableFuture<Void> done = new CompletableFuture<>();
        if (!queue.offer(new Item(decision, done)))
        {
            dropped.incrementAndGet();
            throw new IllegalStateException("enforcer queue is full (" + queue.size() + " waiting); try again");
        }
        try
        {
            done.get(MANUAL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException e)
        {
            LOG.warn("{} of {} queued but not yet applied after {}s", decision.action().label(), decision.host(),
                MANUAL_WAIT.toSeconds());
        }
        catch (final ExecutionException e)
        {
            throw new IllegalStateException(e.getCause());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
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
                if (!started && !clock.instant().isBefore(nextStart))
                {
                    tryStart();
                }
                if (first != null)
                {
                    items.add(first);
                    queue.drainTo(items, MAX_BATCH - 1);
                    process(items);
                    items.clear();
                }
                if (started)
                {
                    enforcer.retryFailed();
                    resyncIfAsked();
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
        final List<Decision> batch = new ArrayList<>(items.size());
        items.forEach(item -> batch.add(item.decision()));
        if (journal == null)
        {
            batch.forEach(store::apply);
        }
        else
        {
            try
            {
                journal.record(batch);
            }
            catch (final IOException e)
            {
                // the kernel still gets the batch: its own expiry keeps a block from outliving its decision
                journalErrors.incrementAndGet();
                LOG.error("block journal {}: cannot write ({}); {} decision(s) applied but would be forgotten by a restart",
                    journal.file(), e.getMessage(), batch.size());
            }
        }
        if (started)
        {
            enforcer.apply(batch);
        }
        count(batch);
        items.forEach(item ->
        {
            if (item.done() != null)
            {
                item.done().complete(null);
            }
        });
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

    public Enforcer enforcer()
    {
        return enforcer;
    }

    /** True once the enforcer has started; false while a failed start is being retried. */
    public boolean enforcerStarted()
    {
        return started;
    }

    /** The reconciliation of the most recent (successful or failed) start. */
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

    /** Every enforcement failure: the enforcer's own, failed starts, and journal writes. */
    public long errors()
    {
        return enforcer.errors() + startErrors.get() + journalErrors.get();
    }

    public long journalErrors()
    {
        return journalErrors.get();
    }

    /** Applies what is queued, stops the thread, then closes the enforcer and the journal. */
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
        enforcer.close();
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
