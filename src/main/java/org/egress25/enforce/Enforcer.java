package org.egress25.enforce;

import java.util.List;
import org.egress25.decision.Decision;

/**
 * Turns decisions into effects outside the process (firewall elements, an operator's script).
 *
 * <p>Threading: {@link #start}, {@link #apply}, {@link #retryFailed} and {@link #close} are called only from
 * the enforcer thread that {@link EnforcerService} owns, never from the packet path; the counters may be read
 * from any thread (metrics scrapes). {@code apply} never throws: a failure is logged, counted in
 * {@link #errors()} and, where the implementation can, retried.
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
