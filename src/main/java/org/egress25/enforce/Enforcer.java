package org.egress25.enforce;

import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.egress25.decision.Decision;
import org.egress25.policy.Policy;

/**
 * Turns decisions into effects outside the process (firewall elements, an operator's script).
 *
 * <p>Threading: {@link #start}, {@link #apply}, {@link #retryFailed} and {@link #close} are called only from
 * the enforcer thread that {@link EnforcerService} owns, never from the packet path; the counters may be read
 * from any thread (metrics scrapes). {@code apply} never throws: a failure is logged, counted in
 * {@link #errors()} and, where the implementation can, retried.
 *
 * <p>Adding an enforcer (a BGP flowspec speaker beside nftables, say) is one class implementing this and one
 * name in {@code org.egress25.cli.Enforcement}'s table; {@code enforcement.enforcer} in the rules, or
 * {@code --enforce nftables,flowspec}, then runs it beside the others. {@link EnforcerService} drives every
 * enforcer with the same decisions and the same journal, and reconciles each with the journal separately.
 */
public interface Enforcer extends AutoCloseable
{
    /** Short name for logs and metrics: {@code nftables}, {@code exec}, {@code none}. */
    String name();

    /**
     * Creates or adopts whatever state the enforcer owns. Called once, before the first batch.
     *
     * @throws EnforcerException with a message an operator can act on (missing binary, no permission)
     */
    void start() throws EnforcerException;

    /**
     * Applies one batch in order: a block adds the host with a lifetime of {@code expires - now}, an unblock
     * removes it, an alert is ignored by enforcers that only act on blocks.
     */
    void apply(List<Decision> batch);

    /**
     * Makes whatever state the enforcer keeps outside the process agree with {@code store}: called after
     * {@link #start}, periodically, and after a recovery. An enforcer without such state (shadow mode, a
     * fire-and-forget program) keeps the default, which changes nothing.
     *
     * @param expiredWhileDown blocks that ended while egress25 was down, for the report
     * @param mayRemove        true for a host whose outside state the journal accounts for; anything else is
     *                         left alone and reported in {@link ReconcileReport#kept()}
     * @throws EnforcerException when the outside state cannot be read (nothing was changed)
     */
    default ReconcileReport reconcile(final BlockStore store, final List<ActiveBlock> expiredWhileDown,
        final Predicate<String> mayRemove, final Instant now) throws EnforcerException
    {
        final List<String> hosts = new java.util.ArrayList<>();
        expiredWhileDown.forEach(b -> hosts.add(b.host()));
        return ReconcileReport.notApplicable(hosts);
    }

    /**
     * True once after the enforcer recovered from failures that may have lost earlier work (a table recreated);
     * the service then reconciles at once instead of at the next period.
     */
    default boolean takeResyncRequest()
    {
        return false;
    }

    /** Loads the class-level half of the policy (networks, exemptions), where the enforcer has one; true when done. */
    default boolean applyPolicy(final Policy policy, final Instant now)
    {
        return true;
    }

    /**
     * Whether the host's block is in force here as far as this enforcer knows, for {@code egress25 blocks}:
     * false while its change is waiting for a retry.
     */
    default boolean holds(final String host)
    {
        return true;
    }

    /** False while the enforcer knows its outside state to be wrong (a table missing, a reconcile failing). */
    default boolean healthy()
    {
        return true;
    }

    /** Gives failed work another try when its back-off has passed; called by the enforcer thread when idle. */
    default void retryFailed()
    {
    }

    /** Failures since start (spawn errors, non-zero exits, timeouts). */
    default long errors()
    {
        return 0;
    }

    /** Text of the most recent failure, or null when there has been none. */
    default String lastError()
    {
        return null;
    }

    @Override
    void close();
}
