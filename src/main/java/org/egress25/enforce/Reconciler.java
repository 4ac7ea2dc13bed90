package org.egress25.enforce;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;

/**
 * Makes the kernel sets agree with the journal, at start and periodically. The journal is the authority: a
 * block still in force goes back in with its remaining time (the kernel lost it in a reboot, an operator's
 * {@code nft flush ruleset}), a block that ended while egress25 was down is not re-added, and an element the
 * journal accounts for but no longer stands behind (unblocked, expired) is removed. An element of a host the
 * journal knows nothing about (a damaged record, an empty or freshly mounted state directory) is kept until
 * its own timeout and reported: the journal cannot prove that block wrong.
 */
public final class Reconciler
{
    /**
     * nft reports remaining time in whole seconds rounded down, and a few hundred milliseconds pass between
     * listing and comparing; an element within 2 s of the journal's expiry is taken as correct.
     */
    static final Duration TOLERANCE = Duration.ofSeconds(2);

    static final String STALE_RULE = "reconcile";

    private Reconciler()
    {
    }

    /**
     * Reads the kernel sets, compares, and applies the difference in one transaction.
     *
     * @param expiredWhileDown blocks the journal held that had ended by the time it was opened
     * @param mayRemove        true for a host whose kernel element the journal accounts for
     * @throws EnforcerException when the sets cannot be read (nothing was changed)
     */
    static ReconcileReport reconcile(final BlockStore store, final List<ActiveBlock> expiredWhileDown,
        final Predicate<String> mayRemove, final NftablesEnforcer enforcer, final Instant now) throws EnforcerException
    {
        final List<KernelElement> kernel = enforcer.listElements();
        final ReconcileReport plan = plan(store.activeBlocks(now), kernel, expiredWhileDown, mayRemove, now);
        final List<NftScript.Op> ops = new ArrayList<>();
        for (final Decision decision : plan.decisions())
        {
            ops.add(NftScript.Op.of(decision.host(), decision.action() == Action.BLOCK, decision.expires()));
        }
        if (ops.isEmpty() || enforcer.applyNow(ops))
        {
            return plan;
        }
        return new ReconcileReport(plan.readded(), plan.removed(), plan.expired(), plan.alreadyCorrect(),
            plan.decisions(), false, enforcer.lastError(), plan.kept());
    }

    /** The comparison alone, with no kernel access. */
    static ReconcileReport plan(final List<ActiveBlock> wanted, final List<KernelElement> kernel,
        final List<ActiveBlock> expiredWhileDown, final Predicate<String> mayRemove, final Instant now)
    {
        final Map<String, KernelElement> present = new HashMap<>();
        for (final KernelElement element : kernel)
        {
            present.put(element.host(), element);
        }
        final Map<String, ActiveBlock> standing = new LinkedHashMap<>();
        for (final ActiveBlock block : wanted)
        {
            if (block.isActiveAt(now))
            {
                standing.put(block.host(), block);
            }
        }
        final List<String> readded = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        final List<String> expired = new ArrayList<>();
        final List<String> correct = new ArrayList<>();
        final List<String> kept = new ArrayList<>();
        final List<Decision> decisions = new ArrayList<>();
        for (final ActiveBlock block : standing.values())
        {
            final KernelElement element = present.get(block.host());
            if (element != null && sameExpiry(block.expires(), element.expiresAt(now)))
            {
                correct.add(block.host());
                continue;
            }
            readded.add(block.host());
            final String left = block.expires() == null ? "without expiry" : Duration.between(now, block.expires()).toSeconds() + "s left";
            decisions.add(new Decision(now, block.host(), Action.BLOCK, block.rule(),
                "re-added by reconcile: block of " + block.since() + " still in force (" + left + "); " + block.reason(),
                block.expires(), Map.of("kernel_had_it", element != null), Source.RECONCILE, block.strikes()));
        }
        for (final KernelElement element : kernel)
        {
            if (standing.containsKey(element.host()))
            {
                continue;
            }
            if (!mayRemove.test(element.host()))
            {
                kept.add(element.host());
                continue;
            }
            removed.add(element.host());
            decisions.add(new Decision(now, element.host(), Action.UNBLOCK, STALE_RULE,
                "removed by reconcile: in the kernel set but no longer an active block in the journal", null, Map.of(),
                Source.RECONCILE, 0));
        }
        for (final ActiveBlock block : expiredWhileDown)
        {
            if (!standing.containsKey(block.host()))
            {
                expired.add(block.host());
            }
        }
        return new ReconcileReport(readded, removed, expired, correct, decisions, true, null, kept);
    }

    private static boolean sameExpiry(final Instant wanted, final Instant kernel)
    {
        if (wanted == null || kernel == null)
        {
            return wanted == kernel;
        }
        return Duration.between(wanted, kernel).abs().compareTo(TOLERANCE) <= 0;
    }
}
