package org.egress25.enforce;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;
import org.egress25.policy.FlowspecAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocks port 25 at the edge routers: one BGP flowspec rule per blocked host (RFC 8955, RFC 8956 for IPv6),
 * announced through a local GoBGP daemon that peers with the routers ({@link GobgpFlowspec}).
 *
 * <p>BGP has no timeouts, so expiry is egress25's job here: the enforcer keeps each announced rule's end and
 * withdraws it when it passes ({@link #retryFailed()}, which the enforcer thread calls when idle, several times a
 * second). Everything else that can go wrong on the way is made good by {@link #reconcile}, which the
 * {@link EnforcerService} calls at start and every {@code --reconcile-every} (30 s): a gobgpd restart loses its
 * RIB, an operator may withdraw a rule by hand, a command fails while the daemon is down. Missing rules are
 * announced again, strays the journal accounts for are withdrawn, and a stray it cannot account for (an empty or
 * freshly mounted state directory) is kept and reported, as the nftables enforcer keeps an unknown element.
 *
 * <p>Only the enforcer thread calls in here; {@link #holds} and the counters are read by other threads.
 */
public final class FlowspecEnforcer implements Enforcer
{
    private static final Logger LOG = LoggerFactory.getLogger(FlowspecEnforcer.class);
    /** A failed announcement or withdrawal is tried again after this; gobgp answers in about 10 ms when up. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final GobgpFlowspec daemon;
    private final Clock clock;
    /** Rules that should be announced now: source → end of the block (null: no end). */
    private final Map<String, Instant> wanted = new LinkedHashMap<>();
    /** Sources whose last announcement or withdrawal failed: true to announce, false to withdraw. */
    private final Map<String, Boolean> failed = new LinkedHashMap<>();
    /** Sources the daemon holds as far as this enforcer knows, for {@code egress25 blocks}. */
    private final Set<String> announced = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError;
    private volatile boolean healthy = true;
    private boolean resyncWanted;
    private Instant nextRetry = Instant.MIN;

    FlowspecEnforcer(final GobgpFlowspec daemon, final Clock clock)
    {
        this.daemon = daemon;
        this.clock = clock;
    }

    /**
     * @param command the {@code gobgp} CLI with its connection flags
     * @param ports   the enforced destination ports
     */
    public static FlowspecEnforcer gobgp(final List<String> command, final List<Integer> ports, final FlowspecAction action,
        final Duration timeout)
    {
        return new FlowspecEnforcer(new GobgpFlowspec(command, ports, action, timeout), Clock.systemUTC());
    }

    @Override
    public String name()
    {
        return "flowspec";
    }

    /** Fails while gobgpd cannot be reached; the service retries with back-off and detection goes on meanwhile. */
    @Override
    public void start() throws EnforcerException
    {
        try
        {
            daemon.ping();
        }
        catch (final EnforcerException e)
        {
            fail(e.getMessage());
            throw e;
        }
        healthy = true;
        LOG.info("flowspec: announcing port-25 blocks through gobgpd, action {}", daemon.action());
    }

    /**
     * Brings the daemon's RIB in line with the journal: announces every active block it lacks (or carries with
     * another action), withdraws rules of egress25's shape that no active block stands behind, and reports both.
     *
     * @throws EnforcerException when the RIB cannot be read (nothing was changed)
     */
    @Override
    public ReconcileReport reconcile(final BlockStore store, final List<ActiveBlock> expiredWhileDown,
        final Predicate<String> mayRemove, final Instant now) throws EnforcerException
    {
        final Map<String, String> present;
        try
        {
            present = announcedActions();
        }
        catch (final EnforcerException e)
        {
            fail(e.getMessage());
            healthy = false;
            throw e;
        }
        final Map<String, ActiveBlock> standing = new LinkedHashMap<>();
        wanted.clear();
        for (final ActiveBlock block : store.activeBlocks(now))
        {
            standing.put(block.host(), block);
            wanted.put(block.host(), block.expires());
        }
        failed.clear();
        announced.clear();
        final List<String> readded = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        final List<String> correct = new ArrayList<>();
        final List<String> kept = new ArrayList<>();
        final List<Decision> decisions = new ArrayList<>();
        boolean applied = true;
        for (final ActiveBlock block : standing.values())
        {
            if (daemon.action().toString().equals(present.get(block.host())))
            {
                correct.add(block.host());
                announced.add(block.host());
                continue;
            }
            readded.add(block.host());
            final String left = block.expires() == null ? "without expiry" : Duration.between(now, block.expires()).toSeconds() + "s left";
            decisions.add(new Decision(now, block.host(), Action.BLOCK, block.rule(),
                "announced again as flowspec: block of " + block.since() + " still in force (" + left + "); " + block.reason(),
                block.expires(), Map.of("router_had_it", present.containsKey(block.host())), Source.RECONCILE, block.strikes()));
            applied &= announce(block.host());
        }
        for (final String source : present.keySet())
        {
            if (standing.containsKey(source))
            {
                continue;
            }
            if (!mayRemove.test(source))
            {
                kept.add(source);
                announced.add(source);
                continue;
            }
            removed.add(source);
            decisions.add(new Decision(now, source, Action.UNBLOCK, Reconciler.STALE_RULE,
                "withdrawn: announced as flowspec but not an active block in the journal", null, Map.of(),
                Source.RECONCILE, 0));
            applied &= withdraw(source);
        }
        final List<String> expired = new ArrayList<>();
        for (final ActiveBlock block : expiredWhileDown)
        {
            if (!standing.containsKey(block.host()))
            {
                expired.add(block.host());
            }
        }
        healthy = applied;
        return new ReconcileReport(readded, removed, expired, correct, decisions, applied, applied ? null : lastError, kept);
    }

    @Override
    public void apply(final List<Decision> batch)
    {
        final Instant now = clock.instant();
        for (final Decision decision : batch)
        {
            if (decision.action() == Action.BLOCK)
            {
                if (decision.expires() != null && !decision.expires().isAfter(now))
                {
                    continue;  // ended already (a replay of an old capture): nothing to announce
                }
                wanted.put(decision.host(), decision.expires());
                announce(decision.host());
            }
            else if (decision.action() == Action.UNBLOCK)
            {
                wanted.remove(decision.host());
                withdraw(decision.host());
            }
        }
    }

    /** Withdraws rules whose block has ended, and tries failed changes again once a second. */
    @Override
    public void retryFailed()
    {
        final Instant now = clock.instant();
        final List<String> ended = new ArrayList<>();
        wanted.forEach((source, end) ->
        {
            if (end != null && !end.isAfter(now))
            {
                ended.add(source);
            }
        });
        for (final String source : ended)
        {
            wanted.remove(source);
            if (withdraw(source))
            {
                LOG.info("flowspec: block of {} ended, rule withdrawn", source);
            }
        }
        if (failed.isEmpty() || now.isBefore(nextRetry))
        {
            return;
        }
        nextRetry = now.plus(RETRY_AFTER);
        final Map<String, Boolean> retry = new LinkedHashMap<>(failed);
        boolean allOk = true;
        for (final Map.Entry<String, Boolean> entry : retry.entrySet())
        {
            final boolean ok = entry.getValue() ? announce(entry.getKey()) : withdraw(entry.getKey());
            allOk &= ok;
        }
        if (allOk)
        {
            // the daemon answers again; it may have restarted with an empty RIB, so compare everything now
            resyncWanted = true;
            healthy = true;
        }
    }

    @Override
    public boolean takeResyncRequest()
    {
        final boolean wantedNow = resyncWanted;
        resyncWanted = false;
        return wantedNow;
    }

    @Override
    public boolean holds(final String host)
    {
        return announced.contains(host);
    }

    @Override
    public boolean healthy()
    {
        return healthy && failed.isEmpty();
    }

    private Map<String, String> announcedActions() throws EnforcerException
    {
        final Map<String, String> present = new HashMap<>();
        for (final GobgpFlowspec.Route route : daemon.announced())
        {
            present.put(route.source(), route.action());
        }
        return present;
    }

    private boolean announce(final String source)
    {
        try
        {
            daemon.announce(source);
            failed.remove(source);
            announced.add(source);
            return true;
        }
        catch (final EnforcerException e)
        {
            fail(e.getMessage());
            failed.put(source, true);
            return false;
        }
    }

    private boolean withdraw(final String source)
    {
        try
        {
            daemon.withdraw(source);
            failed.remove(source);
            announced.remove(source);
            return true;
        }
        catch (final EnforcerException e)
        {
            fail(e.getMessage());
            failed.put(source, false);
            return false;
        }
    }

    private void fail(final String message)
    {
        errors.incrementAndGet();
        if (!message.equals(lastError))
        {
            LOG.error("{}", message);
        }
        lastError = message;
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

    /** Rules stay announced when egress25 stops: blocks outlive the process, as nftables elements do. */
    @Override
    public void close()
    {
    }
}
