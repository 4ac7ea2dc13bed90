package org.egress25.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.decision.Verdicts;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.RateDetector;

/**
 * The rate counters of IPv6 prefixes (a subscriber's /64 by default, the class's {@code ipv6-prefix}), kept
 * beside the per-address ones and judged by the same detectors with the same thresholds. A compromised host
 * picks a new temporary address inside its /64 whenever it likes (RFC 8981), so each address stays under
 * every limit while the /64 as a whole is far over it; this is where that shows.
 *
 * <h2>When the prefix is the evidence</h2>
 * A detector fires for a prefix when the prefix crosses its threshold and the address that made the latest
 * event does not: when the address crosses too, it is judged (and blocked) as a host by {@link RateAnalyser},
 * and a lone bot that never rotates is therefore blocked as an address, never as its /64. An address blocked
 * on its own evidence gives its share of the prefix's counts back ({@link #release}) and adds nothing while
 * its block lasts, so the prefix holds what its other addresses do. A prefix decision goes through
 * {@link Verdicts} like any other (rule ids, class mode, submission never blocked, the ladder, the
 * corroboration a block needs), with {@code host} the prefix, e.g. {@code 2001:db8:1:2::/64}. It is lowered
 * to an alert when another class has a network inside the prefix (a business /128 carved out of a home
 * /64), since a prefix block would reach that network too. The concurrent-connections detector is not
 * aggregated (it alerts only, and open connections are counted per address).
 *
 * <h2>Memory</h2>
 * A {@link HostTable} keyed by the prefix's high 64 bits and its length (36-40 bytes a row), 20 bytes of
 * ints (class, policy generation, fired alerts, alert hour), 8 of block end, the same windows as the hosts
 * (32 bytes each, 64 more where distinct destinations are watched) and one more window of the longest length
 * whose bitmap counts the prefix's distinct addresses (96 bytes): with the default rules
 * {@value #DEFAULT_BYTES_PER_PREFIX} bytes per tracked prefix. Rows are bounded like hosts: the table doubles up
 * to {@code maxPrefixes}, at the cap the least recently seen of 8 sampled rows goes, and a prefix idle for the
 * longest window plus the SYN timeout is swept out once a minute of capture time. Nothing is allocated per
 * packet; a decision allocates its reason and evidence. Only IPv6 addresses of classes with a prefix reach it.
 *
 * <p>Owned by the analysis thread, through {@link RateAnalyser}.
 */
final class PrefixAggregate
{
    static final long DEFAULT_BYTES_PER_PREFIX = 40 + 20 + 8 + 3 * 32 + 64 + 96;

    /** A detector's figure for the address (host row) that made the latest event. */
    @FunctionalInterface
    interface MemberValue
    {
        double value(CompiledPolicy.CompiledClass cls, int detector, int hostRow, long nowNanos);
    }

    private static final long HOUR_NANOS = 3_600_000_000_000L;
    private static final int ROW_INTS = 5;
    private static final int CLASS = 0;
    private static final int GENERATION = 1;
    private static final int ALERTED = 2;
    private static final int ALERT_HOUR = 3;
    private static final int BITS = 4;

    private final Verdicts verdicts;
    private final HostTable prefixes;
    private final MemberValue memberValue;
    private final WindowSlot[] slots = new WindowSlot[CompiledPolicy.MAX_WINDOWS];
    /** Distinct addresses of the prefix over the longest window: only its bitmap is read. */
    private final WindowSlot members = new WindowSlot();
    private final XorShift random = new XorShift(0x0064_0064L);
    private final SweepPacer pacer = new SweepPacer(RateAnalyser.HOST_SWEEP_NANOS);
    private RateAnalyser.PrefixCorroboration corroboration;
    private int[] rowInts;
    private long[] blockedUntil;
    private int rowCapacity;
    private int generation = -1;
    private long capacityEvictions;
    private long idleEvictions;

    PrefixAggregate(final Verdicts verdicts, final int maxPrefixes, final MemberValue memberValue)
    {
        this.verdicts = verdicts;
        this.prefixes = new HostTable(maxPrefixes);
        this.memberValue = memberValue;
        for (int s = 0; s < slots.length; s++)
        {
            slots[s] = new WindowSlot();
        }
        rowCapacity = prefixes.capacity();
        rowInts = new int[rowCapacity * ROW_INTS];
        blockedUntil = new long[rowCapacity];
    }

    void setCorroboration(final RateAnalyser.PrefixCorroboration corroboration)
    {
        this.corroboration = corroboration;
    }

    /** Takes the policy's windows: kept windows keep their counts, new ones start empty (as for hosts). */
    void install(final CompiledPolicy cp)
    {
        long longest = 0;
        for (int s = 0; s < slots.length; s++)
        {
            final long window = cp.slotWindows[s];
            longest = Math.max(longest, window);
            if (window == 0)
            {
                slots[s].release();
            }
            else if (slots[s].windowNanos != window)
            {
                slots[s].assign(window, rowCapacity, cp.slotDistinct[s]);
            }
            else
            {
                slots[s].distinct(cp.slotDistinct[s], rowCapacity);
            }
        }
        if (longest == 0)
        {
            members.release();
        }
        else if (members.windowNanos != longest)
        {
            members.assign(longest, rowCapacity, true);
        }
        generation = cp.generation;
    }

    /** The prefix length an address is judged by as well, or 0 when it is judged alone (IPv4, or the class says so). */
    static int prefixBits(final CompiledPolicy.CompiledClass cls, final long hi, final long lo)
    {
        final HostClass hostClass = cls.hostClass;
        return hostClass.judgesIpv6Prefixes() && !Addresses.isIpv4(hi, lo) ? hostClass.ipv6Prefix() : 0;
    }

    /** A connection attempt of an address not blocked on its own; judged at once. */
    void attempt(
        final CompiledPolicy cp, final CompiledPolicy.CompiledClass cls, final int hostRow, final long hi, final long lo,
        final int group, final int destinationBit, final long now)
    {
        final int row = count(cp, cls, hi, lo, group, WindowSlot.ATTEMPTS, destinationBit, now);
        if (row >= 0)
        {
            members.mark(row, WindowSlot.RELAY, HostTable.hash(hi, lo) >>> 25);
            evaluate(cp, cls, row, hostRow, now);
        }
    }

    /** A failed attempt of an address not blocked on its own; {@link #judge} follows once the host was judged. */
    void failure(final CompiledPolicy cp, final CompiledPolicy.CompiledClass cls, final long hi, final long lo,
        final int group, final long now)
    {
        count(cp, cls, hi, lo, group, WindowSlot.FAILURES, -1, now);
    }

    /** Counts one event in the address's prefix; the prefix's row, or -1 when the address is judged alone. */
    private int count(final CompiledPolicy cp, final CompiledPolicy.CompiledClass cls, final long hi, final long lo,
        final int group, final int metric, final int destinationBit, final long now)
    {
        final int bits = prefixBits(cls, hi, lo);
        if (bits == 0)
        {
            return -1;
        }
        final int row = touch(cp, cls, hi & Cidr.maskHi(bits), bits, now);
        for (final WindowSlot w : slots)
        {
            if (w.inUse())
            {
                w.add(row, group, metric);
                if (destinationBit >= 0)
                {
                    w.mark(row, group, destinationBit);
                }
            }
        }
        return row;
    }

    /** Runs the prefix's detectors after a failure was counted. */
    void judge(final CompiledPolicy cp, final CompiledPolicy.CompiledClass cls, final int hostRow, final long hi,
        final long lo, final long now)
    {
        final int bits = prefixBits(cls, hi, lo);
        final int row = bits == 0 ? -1 : prefixes.find(hi & Cidr.maskHi(bits), bits);
        if (row >= 0)
        {
            evaluate(cp, cls, row, hostRow, now);
        }
    }

    /**
     * An address was blocked on its own evidence: its counts leave the prefix, which from now on holds what the
     * prefix's other addresses do.
     */
    void release(final CompiledPolicy.CompiledClass cls, final WindowSlot[] hostSlots, final int hostRow,
        final long hi, final long lo, final long now)
    {
        final int bits = prefixBits(cls, hi, lo);
        final int row = bits == 0 ? -1 : prefixes.find(hi & Cidr.maskHi(bits), bits);
        if (row < 0)
        {
            return;
        }
        roll(row, now);
        for (int s = 0; s < slots.length; s++)
        {
            if (slots[s].inUse() && hostSlots[s].windowNanos == slots[s].windowNanos)
            {
                slots[s].subtract(row, hostSlots[s], hostRow);
            }
        }
    }

    private int touch(final CompiledPolicy cp, final CompiledPolicy.CompiledClass cls, final long keyHi,
        final int bits, final long now)
    {
        if (cp.generation != generation)
        {
            install(cp);
        }
        int row = prefixes.find(keyHi, bits);
        if (row < 0)
        {
            if (prefixes.isFull())
            {
                prefixes.remove(prefixes.sampleVictim(random));
                capacityEvictions++;
            }
            row = prefixes.insert(keyHi, bits, now);
            if (prefixes.capacity() != rowCapacity)
            {
                grow();
            }
            final int base = row * ROW_INTS;
            Arrays.fill(rowInts, base, base + ROW_INTS, 0);
            blockedUntil[row] = 0;
            WindowSlot.clearRow(slots, row);
            if (members.inUse())
            {
                members.clearRow(row);
            }
        }
        else
        {
            roll(row, now);
        }
        final int base = row * ROW_INTS;
        if (rowInts[base + GENERATION] != cp.generation || rowInts[base + CLASS] != cls.index)
        {
            rowInts[base + ALERTED] = 0;
        }
        rowInts[base + CLASS] = cls.index;
        rowInts[base + GENERATION] = cp.generation;
        rowInts[base + BITS] = bits;
        return row;
    }

    private void roll(final int row, final long now)
    {
        final long last = prefixes.lastSeen(row);
        if (now - last > 0)
        {
            WindowSlot.roll(slots, row, last, now);
            if (members.inUse())
            {
                members.roll(row, last, now);
            }
            prefixes.lastSeen(row, now);
        }
    }

    private void grow()
    {
        rowCapacity = prefixes.capacity();
        rowInts = Arrays.copyOf(rowInts, rowCapacity * ROW_INTS);
        blockedUntil = Arrays.copyOf(blockedUntil, rowCapacity);
        WindowSlot.grow(slots, rowCapacity);
        if (members.inUse())
        {
            members.grow(rowCapacity);
        }
    }

    private void evaluate(final CompiledPolicy cp, final CompiledPolicy.CompiledClass cls, final int row,
        final int hostRow, final long now)
    {
        final int base = row * ROW_INTS;
        final int hour = (int)(now / HOUR_NANOS);
        if (rowInts[base + ALERT_HOUR] != hour)
        {
            rowInts[base + ALERT_HOUR] = hour;
            rowInts[base + ALERTED] = 0;
        }
        final long lastSeen = prefixes.lastSeen(row);
        for (int d = 0; d < cls.detectors.length; d++)
        {
            if ((rowInts[base + ALERTED] & (1 << d)) != 0 || cls.slot[d] < 0
                || cls.blocks[d] && blockedUntil[row] != 0 && blockedUntil[row] - now > 0)
            {
                continue;
            }
            final double value = RateAnalyser.windowValue(slots[cls.slot[d]], cls, d, row, lastSeen, now);
            if (RateAnalyser.crosses(cls, d, value)
                && !RateAnalyser.crosses(cls, d, memberValue.value(cls, d, hostRow, now))
                && corroborated(cls, d, row, now))
            {
                fire(cp, cls, d, row, value, now);
            }
        }
    }

    /** As for hosts: in a detect-then-block class a blocking detector needs the prefix's sequential test behind it. */
    private boolean corroborated(final CompiledPolicy.CompiledClass cls, final int d, final int row, final long now)
    {
        return corroboration == null || !cls.blocks[d] || cls.hostClass.mode() != Port25Mode.DETECT_THEN_BLOCK
            || corroboration.corroborates(prefixes.hi(row), rowInts[row * ROW_INTS + BITS], now);
    }

    /** The rare path, where allocating is fine. */
    private void fire(final CompiledPolicy cp, final CompiledPolicy.CompiledClass cls, final int d, final int row,
        final double value, final long now)
    {
        final HostKey key = new HostKey(prefixes.hi(row), 0, rowInts[row * ROW_INTS + BITS]);
        final RateDetector detector = cls.detectors[d];
        final WindowSlot w = slots[cls.slot[d]];
        final long lastSeen = prefixes.lastSeen(row);
        final long addresses = Math.round(members.distinct(row, 1 << WindowSlot.RELAY, lastSeen, now));
        final String carvedOut = carvedOut(cp.policy, cls.hostClass, key);
        String reason = Reasons.sentence(key.text(), detector.id(), cls.metric[d], detector.ports(), w.windowNanos,
            value, cls.threshold[d], w.estimate(row, cls.groupMask[d], WindowSlot.ATTEMPTS, lastSeen, now))
            + "; at least " + addresses + " addresses of the prefix were active within "
            + Reasons.window(members.windowNanos) + " and none is over the limit alone";
        Action wanted = detector.action();
        if (carvedOut != null && wanted == Action.BLOCK)
        {
            wanted = Action.ALERT;
            reason += " (alert only: " + carvedOut + " lies inside the prefix and a prefix block would reach it)";
        }
        final Map<String, Object> evidence = evidence(cls, d, row, value, addresses, now);
        if (wanted == Action.BLOCK && corroboration != null && cls.hostClass.mode() == Port25Mode.DETECT_THEN_BLOCK)
        {
            // the evidence model (rules/README.md): this volume was backed by the prefix's sequential test
            evidence.put("basis", "corroborated: volume and badness evidence of the prefix's sequential test");
        }
        final Decision decision = verdicts.decide(key, cls.hostClass, detector.ports(), detector.id(), wanted, reason,
            evidence, now);
        if (decision != null && decision.action() == Action.BLOCK && decision.expires() != null)
        {
            blockedUntil[row] = decision.expires().getEpochSecond() * 1_000_000_000L + decision.expires().getNano();
        }
        else
        {
            final long until = cls.blocks[d] ? verdicts.blockedUntilNanos(key, now) : 0;
            if (until != 0)
            {
                blockedUntil[row] = until;
            }
            else
            {
                rowInts[row * ROW_INTS + ALERTED] |= 1 << d;
            }
        }
    }

    /** A network of another class inside the prefix, or null; then a decision about the prefix only alerts. */
    static String carvedOut(final Policy policy, final HostClass hostClass, final HostKey key)
    {
        for (final HostClass other : policy.classes())
        {
            if (other == hostClass)
            {
                continue;
            }
            for (final Cidr network : other.networks())
            {
                if (!network.isIpv4() && network.bits() > key.bits() && key.covers(network.hi(), network.lo()))
                {
                    return network + " (class " + other.name() + ")";
                }
            }
        }
        return null;
    }

    private Map<String, Object> evidence(final CompiledPolicy.CompiledClass cls, final int d, final int row,
        final double value, final long addresses, final long now)
    {
        final Map<String, Object> evidence = new LinkedHashMap<>();
        final int mask = cls.groupMask[d];
        final long lastSeen = prefixes.lastSeen(row);
        evidence.put("class", cls.hostClass.name());
        evidence.put("ports", cls.detectors[d].ports().text());
        evidence.put("prefix_length", rowInts[row * ROW_INTS + BITS]);
        evidence.put("addresses_" + Reasons.window(members.windowNanos), addresses);
        for (final WindowSlot w : slots)
        {
            if (w.inUse())
            {
                RateAnalyser.windowEvidence(evidence, w, row, mask, lastSeen, now);
            }
        }
        evidence.put("observed", Reasons.number(value));
        evidence.put("threshold", Reasons.number(cls.threshold[d]));
        return evidence;
    }

    /** Incremental idle sweep, the same pace and idle limit as the host table's. */
    void onTick(final CompiledPolicy cp, final long now)
    {
        idleEvictions += prefixes.evictIdle(pacer.budget(now, prefixes.highWater()), now, cp.idleHostNanos);
    }

    /** Forgets the block end and fired alerts of a prefix, for an operator's unblock (as for hosts). */
    void clearSuppression(final HostKey key)
    {
        final int row = prefixes.find(key.hi(), key.bits());
        if (row >= 0)
        {
            blockedUntil[row] = 0;
            rowInts[row * ROW_INTS + ALERTED] = 0;
        }
    }

    int size()
    {
        return prefixes.size();
    }

    long capacityEvictions()
    {
        return capacityEvictions;
    }

    long idleEvictions()
    {
        return idleEvictions;
    }

    /** Bytes per tracked prefix under the current policy, from the array strides. */
    long bytesPerPrefix()
    {
        long bytes = prefixes.bytesPerRow() + ROW_INTS * Integer.BYTES + Long.BYTES + members.bytesPerRow();
        for (final WindowSlot w : slots)
        {
            if (w.inUse())
            {
                bytes += w.bytesPerRow();
            }
        }
        return bytes;
    }

    /**
     * The prefix's figure for each windowed detector as of now, in the shape {@code explain} gives a host's, or
     * null when untracked.
     */
    Map<String, Object> snapshot(final CompiledPolicy cp, final HostKey key, final long now)
    {
        final int row = prefixes.find(key.hi(), key.bits());
        if (row < 0)
        {
            return null;
        }
        final CompiledPolicy.CompiledClass cls = cp.classes[Math.min(rowInts[row * ROW_INTS + CLASS],
            cp.classes.length - 1)];
        final long lastSeen = prefixes.lastSeen(row);
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("class", cls.hostClass.name());
        out.put("addresses_" + Reasons.window(members.windowNanos),
            Math.round(members.distinct(row, 1 << WindowSlot.RELAY, lastSeen, now)));
        final List<Map<String, Object>> detectors = new ArrayList<>();
        for (int d = 0; d < cls.detectors.length; d++)
        {
            if (cls.slot[d] >= 0)
            {
                final RateDetector detector = cls.detectors[d];
                final double value = RateAnalyser.windowValue(slots[cls.slot[d]], cls, d, row, lastSeen, now);
                final Map<String, Object> figure = new LinkedHashMap<>();
                figure.put("rule", detector.id());
                figure.put("metric", detector.metric().text());
                figure.put("ports", detector.ports().text());
                figure.put("window", detector.window().toString());
                figure.put("value", value);
                figure.put("threshold", cls.threshold[d]);
                figure.put("firing", RateAnalyser.crosses(cls, d, value));
                figure.put("action", detector.action().label());
                detectors.add(figure);
            }
        }
        out.put("detectors", detectors);
        final long blocked = blockedUntil[row];
        out.put("blocked_until", blocked != 0 && blocked - now > 0 ? Verdicts.toInstant(blocked).toString() : null);
        return out;
    }
}
