package org.egress25.enforce;

import java.util.List;
import org.egress25.decision.Decision;

/**
 * What the start-up reconciliation of the journal with the kernel did, for the log line and the metrics.
 *
 * @param readded        hosts whose still-active block was missing (or had the wrong lifetime) in the kernel
 *                       and was put back with its remaining time
 * @param removed        hosts found in the kernel sets that egress25 no longer stands behind
 * @param expired        hosts whose block ended while egress25 was down, so were not re-added
 * @param alreadyCorrect hosts the kernel already had with the right lifetime
 * @param decisions      the re-adds and removals as decisions with source {@code reconcile}, for the
 *                       decisions log and the per-source counters
 * @param applied        false when the kernel change failed (see {@code error}); it is then retried by the
 *                       enforcer like any failed batch
 * @param error          why it failed, or null
 * @param kept           hosts found in the kernel that the journal cannot account for (a damaged record, an
 *                       empty or freshly mounted state directory): left in place until their own timeout,
 *                       because lifting a block nobody can explain is worse than letting it run out
 */
public record ReconcileReport(
    List<String> readded,
    List<String> removed,
    List<String> expired,
    List<String> alreadyCorrect,
    List<Decision> decisions,
    boolean applied,
    String error,
    List<String> kept)
{
    public ReconcileReport(final List<String> readded, final List<String> removed, final List<String> expired,
        final List<String> alreadyCorrect, final List<Decision> decisions, final boolean applied, final String error)
    {
        this(readded, removed, expired, alreadyCorrect, decisions, applied, error, List.of());
    }

    public ReconcileReport
    {
        kept = List.copyOf(kept);
        readded = List.copyOf(readded);
        removed = List.copyOf(removed);
        expired = List.copyOf(expired);
        alreadyCorrect = List.copyOf(alreadyCorrect);
        decisions = List.copyOf(decisions);
    }

    /** For enforcers with no kernel state to reconcile ({@code none}, {@code exec}). */
    public static ReconcileReport notApplicable(final List<String> expired)
    {
        return new ReconcileReport(List.of(), List.of(), expired, List.of(), List.of(), true, null);
    }

    /** Hosts the kernel had to be corrected for: re-added or removed (what a periodic reconcile counts as drift). */
    public int drift()
    {
        return readded.size() + removed.size();
    }

    /** One line for the log. */
    public String summary()
    {
        return String.format("reconcile: %d re-added, %d removed, %d expired while down, %d already correct%s%s",
            readded.size(), removed.size(), expired.size(), alreadyCorrect.size(),
            kept.isEmpty() ? "" : ", " + kept.size() + " unaccounted kernel element(s) kept until their timeout "
                + (kept.size() <= 5 ? kept.toString() : kept.subList(0, 5) + "..."),
            applied ? "" : " (kernel update failed, will retry: " + error + ")");
    }
}
