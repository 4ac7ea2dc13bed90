package org.egress25.analysis;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.egress25.host.Action;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.PortGroup;
import org.egress25.policy.RateDetector;
import org.egress25.policy.RateMetric;

/**
 * A policy as the rate analyser reads it on every counted event: each class's detectors flattened into
 * parallel arrays (metric, port-group mask, window slot, threshold), and every distinct window length mapped
 * to one of at most {@link #MAX_WINDOWS} counter slots. Built once per policy object, off the packet path.
 */
final class CompiledPolicy
{
    static final int MAX_WINDOWS = 4;
    /** A host's fired-alert memory is one int of bits, one per detector of its class. */
    static final int MAX_DETECTORS = 32;

    final Policy policy;
    final int generation;
    final CompiledClass[] classes;
    final CompiledClass fallback;
    private final Map<HostClass, CompiledClass> byClass = new IdentityHashMap<>();
    /** Window length per counter slot, 0 when unused. */
    final long[] slotWindows = new long[MAX_WINDOWS];
    final boolean[] slotDistinct = new boolean[MAX_WINDOWS];
    final long synTimeoutNanos;
    /** A host unseen this long has nothing left in any window and no attempt pending. */
    final long idleHostNanos;
    final List<String> dropped = new ArrayList<>();

    /**
     * @param previousWindows slot windows of the policy before, so a window kept across a reload keeps its
     *                        slot and its counts
     */
    CompiledPolicy(final Policy policy, final long[] previousWindows, final int generation)
    {
        this.policy = policy;
        this.generation = generation;
        this.synTimeoutNanos = Math.max(1, policy.synTimeout().toNanos());

        final TreeSet<Long> windows = new TreeSet<>();
        final List<HostClass> all = new ArrayList<>(policy.classes());
        final HostClass defaultClass = new HostClass(
            "default", Port25Mode.DETECT_THEN_BLOCK, List.of(), policy.defaultDetectors());
        all.add(defaultClass);
        for (final HostClass hostClass : all)
        {
            for (final RateDetector detector : hostClass.detectors())
            {
                if (detector.metric() != RateMetric.CONCURRENT && detector.window() != null
                    && detector.window().toNanos() > 0)
                {
                    windows.add(detector.window().toNanos());
                }
            }
        }
        for (int s = 0; s < MAX_WINDOWS; s++)
        {
            if (previousWindows[s] != 0 && windows.contains(previousWindows[s]))
            {
                slotWindows[s] = previousWindows[s];
                windows.remove(previousWindows[s]);
            }
        }
        for (int s = 0; s < MAX_WINDOWS && !windows.isEmpty(); s++)
        {
            if (slotWindows[s] == 0)
            {
                slotWindows[s] = windows.pollFirst();
            }
        }
        long longest = 0;
        for (final long w : slotWindows)
        {
            longest = Math.max(longest, w);
        }
        idleHostNanos = longest + synTimeoutNanos;

        classes = new CompiledClass[all.size()];
        for (int i = 0; i < all.size(); i++)
        {
            classes[i] = new CompiledClass(i, all.get(i));
            byClass.put(all.get(i), classes[i]);
        }
        fallback = classes[classes.length - 1];
    }

    int slotOf(final long windowNanos)
    {
        for (int s = 0; s < MAX_WINDOWS; s++)
        {
            if (slotWindows[s] == windowNanos)
            {
                return s;
            }
        }
        return -1;
    }

    /** The compiled form of a class of this policy, or null for a class object of an older policy. */
    CompiledClass lookup(final HostClass hostClass)
    {
        return hostClass == null ? null : byClass.get(hostClass);
    }

    /** Class of an address under this policy; unclassified addresses get the default detectors. */
    CompiledClass classify(final long hi, final long lo)
    {
        final CompiledClass found = lookup(policy.classify(hi, lo));
        return found == null ? fallback : found;
    }

    /** One class's detectors as parallel arrays; index d is bit d of a host's alerted mask. */
    final class CompiledClass
    {
        final int index;
        final HostClass hostClass;
        final RateDetector[] detectors;
        final RateMetric[] metric;
        final int[] groupMask;
        final int[] slot;
        final double[] threshold;
        final long[] minAttempts;
        /** True when the detector's finding would be a block (not lowered to an alert by mode or port group). */
        final boolean[] blocks;

        CompiledClass(final int index, final HostClass hostClass)
        {
            this.index = index;
            this.hostClass = hostClass;
            final List<RateDetector> kept = new ArrayList<>();
            final List<Integer> slots = new ArrayList<>();
            for (final RateDetector detector : hostClass.detectors())
            {
                final boolean windowed = detector.metric() != RateMetric.CONCURRENT;
                if (windowed && (detector.window() == null || detector.window().toNanos() <= 0))
                {
                    dropped.add(hostClass.name() + "/" + detector.id() + ": no window");
                    continue;
                }
                final int s = windowed ? slotOf(detector.window().toNanos()) : -1;
                if (windowed && s < 0)
                {
                    dropped.add(hostClass.name() + "/" + detector.id() + ": more than " + MAX_WINDOWS
                        + " distinct windows");
                    continue;
                }
                if (kept.size() == MAX_DETECTORS)
                {
                    dropped.add(hostClass.name() + "/" + detector.id() + ": more than " + MAX_DETECTORS
                        + " rate detectors in one class");
                    continue;
                }
                if (detector.metric() == RateMetric.DISTINCT_DESTINATIONS)
                {
                    slotDistinct[s] = true;
                }
                kept.add(detector);
                slots.add(s);
            }
            final int n = kept.size();
            detectors = kept.toArray(new RateDetector[0]);
            metric = new RateMetric[n];
            groupMask = new int[n];
            slot = new int[n];
            threshold = new double[n];
            minAttempts = new long[n];
            blocks = new boolean[n];
            for (int d = 0; d < n; d++)
            {
                final RateDetector detector = detectors[d];
                metric[d] = detector.metric();
                groupMask[d] = maskOf(detector.ports());
                slot[d] = slots.get(d);
                threshold[d] = detector.threshold();
                minAttempts[d] = Math.max(1, detector.minAttempts());
                blocks[d] = detector.action() == Action.BLOCK && detector.ports() != PortGroup.SUBMISSION
                    && hostClass.mode() == Port25Mode.DETECT_THEN_BLOCK;
            }
        }
    }

    static int maskOf(final PortGroup group)
    {
        switch (group)
        {
            case RELAY:
                return 1 << WindowSlot.RELAY;
            case SUBMISSION:
                return 1 << WindowSlot.SUBMISSION;
            default:
                return (1 << WindowSlot.RELAY) | (1 << WindowSlot.SUBMISSION);
        }
    }
}
