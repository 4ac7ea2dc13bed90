package org.egress25.enforce;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egress25.decision.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;

/**
 * Makes the kernel sets agree with the journal at start. The journal is the authority: a block still in
 * force goes back in with its remaining time (the kernel lost it in a reboot, or someone deleted it), a block
 * that ended while egress25 was down is not re-added, and an element egress25 does not stand behind (left by
 * an older journal, or added by hand) is removed.
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
     * @throws EnforcerException when the sets cannot be read (nothing was changed)
     */
    public static ReconcileReport reconcile(final BlockStore store, final List<ActiveBlock> expiredWhileDown,
        final NftablesEnforcer enforcer, final Instant now) throws EnforcerException
    {
        final List<KernelElement> kernel = enforcer.listElements();
        final ReconcileReport plan = plan(store.activeBlocks(now), kernel, expiredWhileDown, now);
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
            plan.decisions(), false, enforcer.lastError());
    }

    /** The comparison alone, with no kernel access. */
    static ReconcileReport plan(final List<ActiveBlock> wanted, final List<KernelElement> kernel,
        final List<ActiveBlock> expiredWhileDown, final Instant now)
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
                "re-added at start: block of " + block.since() + " still in force (" + left + "); " + block.reason(),
                block.expires(), Map.of("kernel_had_it", element != null), Source.RECONCILE, block.strikes()));
        }
        for (final KernelElement element : kernel)
        {
            if (!standing.containsKey(element.host()))
            {
                removed.add(element.host());
                decisions.add(new Decision(now, element.host(), Action.UNBLOCK, STALE_RULE,
                    "removed at start: in the kernel set but not an active block in the journal", null, Map.of(),
                    Source.RECONCILE, 0));
            }
        }
        for (final ActiveBlock block : expiredWhileDown)
        {
            if (!standing.containsKey(block.host()))
            {
                expired.add(block.host());
            }
        }
        return new ReconcileReport(readded, removed, expired, correct, decisions, true, null);
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
