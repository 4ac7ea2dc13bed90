package org.egress25.enforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;
import org.egress25.host.HostKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocks hosts with elements in two kernel sets of egress25's own table, each added with a timeout equal to
 * the block's remaining lifetime, so the kernel lifts a block on time even if egress25 is dead:
 *
 * <pre>
 * table inet egress25 {
 *     set blocked4 { type ipv4_addr; flags timeout; }
 *     set blocked6 { type ipv6_addr; flags timeout; }
 *     set blocked6net { type ipv6_addr; flags interval, timeout; }
 *     chain forward {
 *         type filter hook forward priority -1; policy accept;
 *         ip saddr @blocked4 tcp dport { 25 } ct state new reject with tcp reset
 *         ip6 saddr @blocked6 tcp dport { 25 } ct state new reject with tcp reset
 *         (exempt sources and relay destinations accept here)
 *         ip6 saddr @blocked6net tcp dport { 25 } ct state new reject with tcp reset
 *     }
 * }
 * </pre>
 * {@code blocked6net} holds IPv6 prefixes ({@code 2001:db8:1:2::/64}) blocked as one; it is matched after the
 * exemptions, so an exempt customer inside a blocked prefix keeps its port 25.
 *
 * <p><b>Why the forward hook at priority -1.</b> On a gateway, subscriber traffic is forwarded, and in the
 * forward hook the source is still the subscriber's own address: source NAT happens later, in postrouting
 * (priority 100). Conntrack has run at -200 in prerouting, so {@code ct state new} is known. Priority -1 puts
 * the rule just before the filter chains of other tables at the usual priority 0 (Debian's {@code inet
 * filter}, firewalld), so their counters and log rules do not see a connection that egress25 refuses; a drop
 * is final in nftables whatever the order, so no other table can re-admit it. Only {@code ct state new} is
 * matched, so a mail session already open when the block lands finishes, and other ports are never touched.
 *
 * <p><b>Transactions.</b> Each {@link #apply} batch is one {@code nft -f -} run: one atomic kernel
 * transaction whose cost is dominated by starting nft, so a batch of 1000 blocks costs about what one does
 * (measured from the JVM on the 2-core development machine under load average ~13: 25-110 ms per batch for
 * 1 or 1000 elements; nft alone, from a shell, ~12 ms). That is why decisions are batched. If nft refuses a batch while the table can still be
 * listed, an element is at fault, not nft: the batch is halved until the refused element stands alone, the
 * rest applies at once, and the refused one is retried alone with back-off, never holding back later batches.
 * If nft is missing or failing, the element changes wait in a retry map (last change per host wins) and are
 * retried with back-off from 1 s doubling to 60 s, with the table set-up re-run first in case someone deleted
 * it (after which {@link EnforcerService} reconciles the whole store back in). Errors are counted and logged;
 * nothing is thrown into the caller.
 */
public final class NftablesEnforcer implements Enforcer
{
    private static final Logger LOG = LoggerFactory.getLogger(NftablesEnforcer.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final NftablesConfig config;
    private final Map<String, NftScript.Op> pending = new LinkedHashMap<>();
    /** Element changes nft refused on their own (the rest of their batch applied), retried with back-off. */
    private final Map<String, NftScript.Op> refused = new LinkedHashMap<>();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError;
    private volatile long lastApplyNanos;
    private Duration backoff = Duration.ZERO;
    private Instant nextAttempt = Instant.MIN;
    private Duration refusedBackoff = Duration.ZERO;
    private Instant refusedRetry = Instant.MIN;
    private final TableOwner self = TableOwner.self();
    private volatile boolean setupNeeded;
    private volatile boolean reconcileOk = true;
    private boolean resyncWanted;
    private org.egress25.policy.Policy lastPolicy;

    public NftablesEnforcer(final NftablesConfig config)
    {
        this.config = config;
    }

    public NftablesConfig config()
    {
        return config;
    }

    @Override
    public String name()
    {
        return "nftables";
    }

    /**
     * Creates or adopts the table and claims it: refuses (fatally) when another live egress25 owns it, see
     * {@link TableOwner}. The claim is written in the same transaction as the set-up and read back, so of two
     * instances starting at once only the one whose mark stands goes on.
     */
    @Override
    public void start() throws EnforcerException
    {
        refuseIfOwnedElsewhere();
        final Processes.Result result = nft(NftScript.setup(config) + NftScript.claim(config.table(), self));
        if (result == null || !result.ok())
        {
            setupNeeded = true;
            throw new EnforcerException(lastError);
        }
        refuseIfOwnedElsewhere();
        setupNeeded = false;
        LOG.info("nftables: table inet {} ready and owned by this process (pid {}); blocking new TCP connections to"
            + " port(s) {} from its sets ({})", config.table(), self.pid(), config.ports(), config.verdict().statement());
    }

    private void refuseIfOwnedElsewhere() throws EnforcerException
    {
        final TableOwner owner = owner();
        if (owner != null && !owner.equals(self) && owner.alive())
        {
            throw new EnforcerException("nftables table inet " + config.table() + " is owned by another running"
                + " egress25 (pid " + owner.pid() + "); only one instance may manage it, whatever its --state-dir."
                + " Stop that one first, or give this one another enforcement.table", true);
        }
    }

    /** The owner mark in the table, or null when there is no table, no mark, or it cannot be read. */
    private TableOwner owner()
    {
        final List<String> command = new ArrayList<>(config.nftCommand());
        command.addAll(List.of("-j", "list", "set", "inet", config.table(), NftScript.OWNER_SET));
        try
        {
            final Processes.Result result = Processes.run(command, "", config.commandTimeout(), Map.of());
            if (!result.ok())
            {
                return null;
            }
            for (final JsonNode item : DecisionJson.MAPPER.readTree(result.output()).path("nftables"))
            {
                for (final JsonNode elem : item.path("set").path("elem"))
                {
                    final TableOwner owner = TableOwner.parse(elem.path("elem").path("comment").asText(null));
                    if (owner != null)
                    {
                        return owner;
                    }
                }
            }
            return null;
        }
        catch (final IOException e)
        {
            return null;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Lists the kernel sets and corrects them against {@code store} ({@link Reconciler}); a table that is gone
     * ({@code nft flush ruleset}) is first created again and claimed. Throws, and reports itself unhealthy,
     * when the table cannot be read or another live instance has claimed it since.
     */
    @Override
    public synchronized ReconcileReport reconcile(final BlockStore store, final List<ActiveBlock> expiredWhileDown,
        final Predicate<String> mayRemove, final Instant now) throws EnforcerException
    {
        try
        {
            final ReconcileReport report = checkOwnerAndReconcile(store, expiredWhileDown, mayRemove, now);
            reconcileOk = report.applied();
            return report;
        }
        catch (final EnforcerException | RuntimeException e)
        {
            reconcileOk = false;
            throw e;
        }
    }

    private ReconcileReport checkOwnerAndReconcile(final BlockStore store, final List<ActiveBlock> expiredWhileDown,
        final Predicate<String> mayRemove, final Instant now) throws EnforcerException
    {
        final TableOwner owner = owner();
        if (owner == null)
        {
            if (tableReadable())
            {
                LOG.warn("nftables: owner mark of table inet {} was missing; claimed again", config.table());
            }
            else
            {
                LOG.warn("nftables: table inet {} is gone (nft flush ruleset?); creating it again", config.table());
            }
            final Processes.Result result = nft(NftScript.setup(config) + NftScript.claim(config.table(), self));
            if (result == null || !result.ok())
            {
                setupNeeded = true;
                throw new EnforcerException(lastError);
            }
            setupNeeded = false;
            reapplyPolicy(now);
        }
        else if (!owner.equals(self))
        {
            fail("table inet " + config.table() + " was claimed by another egress25 (pid " + owner.pid()
                + "); this instance no longer corrects it");
            throw new EnforcerException(lastError);
        }
        return Reconciler.reconcile(store, expiredWhileDown, mayRemove, this, now);
    }

    @Override
    public boolean healthy()
    {
        return !setupNeeded && reconcileOk;
    }

    @Override
    public synchronized boolean holds(final String host)
    {
        return !pending.containsKey(host) && !refused.containsKey(host);
    }

    /**
     * Loads the class-level policy into the kernel: the networks of block-by-default classes, exempt sources
     * and exempt destinations (the ISP's relays) as of {@code now}, replacing what was there in one
     * transaction. Called at start, on every rules reload, and periodically so expired exemptions leave the
     * kernel too.
     *
     * @return true when nft accepted it
     */
    @Override
    public synchronized boolean applyPolicy(final org.egress25.policy.Policy policy, final Instant now)
    {
        lastPolicy = policy;
        final Processes.Result result = nft(NftScript.policy(config.table(), NftScript.policySets(policy, now)));
        if (result == null || !result.ok())
        {
            LOG.error("nftables: class policy not applied: {}", lastError);
            return false;
        }
        return true;
    }

    @Override
    public synchronized void apply(final List<Decision> batch)
    {
        for (final Decision decision : batch)
        {
            if (decision.action() == Action.ALERT)
            {
                continue;
            }
            final String host;
            try
            {
                host = HostKey.canonical(decision.host());
            }
            catch (final IllegalArgumentException e)
            {
                fail("decision for '" + decision.host() + "' skipped: " + e.getMessage());
                continue;
            }
            final boolean add = decision.action() == Action.BLOCK;
            pending.remove(host);
            refused.remove(host);
            pending.put(host, NftScript.Op.of(host, add, decision.expires()));
        }
        flush(false);
    }

    /** A table created again has empty policy sets: put the last class policy back. */
    private void reapplyPolicy(final Instant now)
    {
        if (lastPolicy != null)
        {
            applyPolicy(lastPolicy, now);
        }
    }

    @Override
    public synchronized void retryFailed()
    {
        if (!pending.isEmpty() || !refused.isEmpty() || setupNeeded)
        {
            flush(false);
        }
    }

    /**
     * True once after the table had to be set up again following failures; the caller should then reconcile
     * the kernel with the store, because blocks applied before the failure may be gone.
     */
    @Override
    public boolean takeResyncRequest()
    {
        final boolean wanted = resyncWanted;
        resyncWanted = false;
        return wanted;
    }

    /** Pending element changes not yet in the kernel (failed batches waiting for their retry). */
    public int pendingCount()
    {
        return pending.size() + refused.size();
    }

    /** Duration of the most recent successful transaction, in nanoseconds; 0 before the first. */
    public long lastApplyNanos()
    {
        return lastApplyNanos;
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

    /**
     * Applies element changes now, ignoring any back-off; for the reconciler, which runs once at start.
     *
     * @return true when the kernel took them
     */
    boolean applyNow(final List<NftScript.Op> ops)
    {
        for (final NftScript.Op op : ops)
        {
            pending.remove(op.host());
            refused.remove(op.host());
            pending.put(op.host(), op);
        }
        return flush(true);
    }

    private boolean flush(final boolean force)
    {
        final Instant now = config.clock().instant();
        if (!refused.isEmpty() && !now.isBefore(refusedRetry))
        {
            refused.forEach(pending::putIfAbsent);   // a newer decision for the host has replaced it already
            refused.clear();
        }
        if (!force && now.isBefore(nextAttempt))
        {
            return false;
        }
        final List<NftScript.Op> skipped = new ArrayList<>();
        final String elements = NftScript.elements(config.table(), pending.values(), now, skipped);
        for (final NftScript.Op op : skipped)
        {
            LOG.debug("nftables: block of {} expired before it could be applied", op.host());
            pending.remove(op.host());
        }
        if (elements.isEmpty() && !setupNeeded)
        {
            return true;
        }
        if (setupNeeded)
        {
            final Processes.Result setup = nft(NftScript.setup(config) + NftScript.claim(config.table(), self));
            if (setup == null || !setup.ok())
            {
                return failedWhole(now);
            }
            // the failure may have been the table vanishing (a reboot of the ruleset, an operator's flush):
            // the elements of earlier batches would be gone too, so ask for a full reconcile
            resyncWanted = true;
            setupNeeded = false;
            reapplyPolicy(now);
            LOG.info("nftables: table inet {} set up again after earlier failures", config.table());
        }
        final List<NftScript.Op> ops = new ArrayList<>(pending.values());
        final List<NftScript.Op> alone = new ArrayList<>();
        if (!ops.isEmpty() && !applyOrSplit(ops, now, alone))
        {
            return failedWhole(now);
        }
        if (!backoff.isZero())
        {
            LOG.info("nftables: element changes applied after retry");
        }
        backoff = Duration.ZERO;
        nextAttempt = Instant.MIN;
        if (alone.isEmpty())
        {
            return true;
        }
        refusedBackoff = refusedBackoff.isZero() ? FIRST_BACKOFF : min(refusedBackoff.multipliedBy(2), MAX_BACKOFF);
        refusedRetry = now.plus(refusedBackoff);
        for (final NftScript.Op op : alone)
        {
            pending.remove(op.host());
            refused.put(op.host(), op);
        }
        LOG.warn("nftables: {} element change(s) refused on their own, retried in {}s; the rest of the batch applied",
            refused.size(), refusedBackoff.toSeconds());
        return false;
    }

    /**
     * Applies {@code ops} in one transaction; when nft refuses it while the table is intact, the batch is halved
     * until the element(s) at fault stand alone, so one bad element costs about 2 log2(n) extra runs and never
     * holds back the others. Returns false when nft itself is failing (the table cannot even be listed).
     */
    private boolean applyOrSplit(final List<NftScript.Op> ops, final Instant now, final List<NftScript.Op> alone)
    {
        final long startNanos = System.nanoTime();
        final Processes.Result result = nft(NftScript.elements(config.table(), ops, now, new ArrayList<>()));
        if (result != null && result.ok())
        {
            final long nanos = System.nanoTime() - startNanos;
            lastApplyNanos = nanos;
            config.latencyNanos().accept(nanos);
            ops.forEach(op -> pending.remove(op.host()));
            ops.forEach(op -> refused.remove(op.host()));
            if (alone.isEmpty() && refused.isEmpty())
            {
                refusedBackoff = Duration.ZERO;
            }
            return true;
        }
        if (!tableReadable())
        {
            setupNeeded = true;
            return false;
        }
        if (ops.size() == 1)
        {
            alone.add(ops.get(0));
            return true;
        }
        final int half = ops.size() / 2;
        return applyOrSplit(new ArrayList<>(ops.subList(0, half)), now, alone)
            && applyOrSplit(new ArrayList<>(ops.subList(half, ops.size())), now, alone);
    }

    /** A probe, not counted as an error of its own: the failure that led to it was counted already. */
    private boolean tableReadable()
    {
        final List<String> command = new ArrayList<>(config.nftCommand());
        command.addAll(List.of("list", "table", "inet", config.table()));
        try
        {
            return Processes.run(command, "", config.commandTimeout(), Map.of()).ok();
        }
        catch (final IOException e)
        {
            return false;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean failedWhole(final Instant now)
    {
        setupNeeded = true;
        backoff = backoff.isZero() ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
        nextAttempt = now.plus(backoff);
        LOG.warn("nftables: {} element change(s) kept for retry in {}s", pending.size(), backoff.toSeconds());
        return false;
    }

    /**
     * Reads the block sets back from the kernel.
     *
     * @throws EnforcerException when nft cannot be run or its output cannot be read
     */
    public List<KernelElement> listElements() throws EnforcerException
    {
        final List<KernelElement> elements = new ArrayList<>();
        for (final String set : NftScript.BLOCK_SETS)
        {
            final Processes.Result result = run(NftScript.listSet(config, set), "");
            if (result == null || !result.ok())
            {
                throw new EnforcerException(lastError);
            }
            try
            {
                parseSet(result.output(), elements);
            }
            catch (final JsonProcessingException | IllegalArgumentException e)
            {
                throw new EnforcerException("cannot read the output of '" + String.join(" ", NftScript.listSet(config, set))
                    + "': " + e.getMessage(), e);
            }
        }
        return elements;
    }

    /**
     * Parses {@code nft -j list set}: elements are plain strings, or objects with val, timeout and expires in
     * seconds; in the prefix set a val is {@code {"prefix": {"addr": "2001:db8:1:2::", "len": 64}}}.
     */
    static void parseSet(final String json, final List<KernelElement> into) throws JsonProcessingException
    {
        final JsonNode root = DecisionJson.MAPPER.readTree(json);
        for (final JsonNode item : root.path("nftables"))
        {
            for (final JsonNode elem : item.path("set").path("elem"))
            {
                final JsonNode inner = elem.path("elem");
                final JsonNode value = inner.isObject() ? inner.path("val") : elem;
                final JsonNode prefix = value.path("prefix");
                final String host;
                if (value.isTextual())
                {
                    host = HostKey.canonical(value.asText());
                }
                else if (prefix.path("addr").isTextual() && prefix.path("len").isInt())
                {
                    host = HostKey.canonical(prefix.path("addr").asText() + "/" + prefix.path("len").asInt());
                }
                else
                {
                    continue;  // ranges and concatenations never occur in our sets
                }
                into.add(new KernelElement(host, seconds(inner.get("timeout")), seconds(inner.get("expires"))));
            }
        }
    }

    private static Duration seconds(final JsonNode value)
    {
        return value == null || !value.isNumber() ? null : Duration.ofMillis(Math.round(value.asDouble() * 1000));
    }

    private Processes.Result nft(final String script)
    {
        final List<String> command = new ArrayList<>(config.nftCommand());
        command.addAll(List.of("-f", "-"));
        return run(command, script);
    }

    /** Runs nft; null when it could not be started. Failures are counted and logged here. */
    private Processes.Result run(final List<String> command, final String stdin)
    {
        try
        {
            final Processes.Result result = Processes.run(command, stdin, config.commandTimeout(), Map.of());
            if (result.timedOut())
            {
                fail("'" + String.join(" ", command) + "' did not finish within " + config.commandTimeout().toMillis()
                    + " ms and was killed");
            }
            else if (result.exitCode() != 0)
            {
                fail("'" + String.join(" ", command) + "' failed (exit " + result.exitCode() + "): " + result.excerpt());
            }
            return result;
        }
        catch (final IOException e)
        {
            fail("cannot run '" + String.join(" ", command) + "': " + e.getMessage()
                + " (is nftables installed? Debian: apt-get install nftables; egress25 needs root or CAP_NET_ADMIN)");
            return null;
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            fail("interrupted while running '" + String.join(" ", command) + "'");
            return null;
        }
    }

    private void fail(final String message)
    {
        errors.incrementAndGet();
        lastError = message;
        LOG.error("nftables: {}", message);
    }

    private static Duration min(final Duration a, final Duration b)
    {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Leaves the table and its elements in place (the kernel keeps enforcing, and lifts each block on time) and
     * gives up the owner mark, so the next instance may take the table over at once; after a crash the mark
     * stays, and the next instance sees that its process is gone.
     */
    @Override
    public synchronized void close()
    {
        if (self.equals(owner()))
        {
            nft("flush set inet " + config.table() + " " + NftScript.OWNER_SET + "\n");
        }
        if (pendingCount() > 0)
        {
            LOG.warn("nftables: {} element change(s) were never applied; the reconcile at next start will fix them",
                pendingCount());
        }
    }
}
