package org.egress25.analysis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.egress25.host.Action;
import org.egress25.decision.Corroboration;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.decision.Verdicts;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.PortGroup;
import org.egress25.policy.RateDetector;
import org.egress25.policy.RateMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per inside host, connection attempts, failed attempts and distinct destinations to SMTP ports over up to
 * four sliding windows, and connections open at once, judged against the host class's rate detectors.
 *
 * <h2>What is counted</h2>
 * <ul>
 *   <li>An <b>attempt</b> is an outbound SYN without ACK. A SYN for a 4-tuple already waiting for its
 *       SYN-ACK, within the policy's SYN timeout, is a retransmission of the same attempt, not a new one.</li>
 *   <li>A <b>failure</b> is a RST from the server before the connection was established, or no SYN-ACK
 *       within the SYN timeout (found by the sweep on ticks, within a second of capture time, and dated
 *       when the timeout ran out; or by a later SYN of the same 4-tuple).</li>
 *   <li><b>Concurrent connections</b> rise on the server's SYN-ACK and fall on FIN or RST from either side,
 *       or after {@link #ESTABLISHED_IDLE_NANOS} without a segment (RFC 5321's longest timeout, for the
 *       reply to the end of DATA, so a live session is not dropped).</li>
 *   <li>Everything is kept apart for port 25 (relay) and the other SMTP ports (submission), which the rules
 *       police differently. Per-port counts for 465/587/2525 are not kept per window (another 32 bytes per
 *       host and window); flagged hosts get them in their report detail.</li>
 * </ul>
 * Windows are sliding-window counters and distinct destinations are 128-bit bitmaps giving a lower bound;
 * {@link WindowSlot} has the arithmetic and the error figures.
 *
 * <h2>Memory</h2>
 * No object per host: a {@link HostTable} (open addressing into dense rows, 36-40 bytes a row) plus flat
 * arrays indexed by row: 28 bytes of ints (open connections per group, class, policy generation, fired
 * alerts, alert hour, report link), 8 of block expiry, 32 per window and 64 more per window that a
 * distinct-destinations rule watches. With the default rules (windows 1 min, 5 min, 1 h; distinct
 * destinations over 5 min) that is {@value #DEFAULT_BYTES_PER_HOST} bytes per tracked host by the strides
 * and 240 bytes measured on the heap after GC with 1,000,000 hosts in a {@code -Xmx512m} JVM, which then
 * used 257 MiB in all, a 262,144-connection table included (RateAnalyserFootprintTest runs exactly that).
 * Four windows all watched for distinct destinations would cost 460 bytes a host: too much for a million
 * hosts in 512 MB, so size {@code maxHosts} down for such rules. The table grows by doubling up to
 * {@code maxHosts}; at the cap the least recently seen of 8 sampled rows is evicted, so a flood of spoofed
 * sources churns rows but cannot grow memory. Hosts unseen for the longest window plus the SYN timeout are
 * evicted by an incremental sweep that covers the table once a minute of capture time. Report detail for
 * flagged hosts is bounded apart: at most 10,000 hosts of about 3.6 KB ({@link FlaggedHosts}).
 *
 * <h2>Cost per packet</h2>
 * A connection-table probe for every segment, a host-table probe and detector evaluation only for segments
 * that can raise a counter (SYN, SYN-ACK, RST before establishment). A host that already fired skips
 * its fired alert detectors (one bit each, cleared on the hour) and, while blocked, its block detectors, so
 * a spambot's steady state is a few array reads per SYN and no call into {@link Verdicts}. Nothing is
 * allocated unless a detector fires.
 *
 * <p>Single writer: {@link #onSegment}, {@link #onTick}, {@link #onEnd}, {@link #snapshot} and
 * {@link #flaggedHosts} belong to the analysis thread (other threads send it commands);
 * {@link #stats()} may be read from any thread.
 */
public final class RateAnalyser implements Analyser
{
    static final long DEFAULT_BYTES_PER_HOST = 40 + 28 + 8 + 3 * 32 + 64;
    /** An established connection silent this long is assumed gone (missed FIN). */
    static final long ESTABLISHED_IDLE_NANOS = TimeUnit.MINUTES.toNanos(10);
    /**
     * The idle sweep covers the whole connection table once a minute of capture time, closing established
     * connections silent for {@link #ESTABLISHED_IDLE_NANOS} (and any SYN timeout the deadline queue lost).
     * SYN timeouts themselves come from {@link SynDeadlines} on every tick. A full pass per second of capture
     * time was a pass over 524,288 slots (25 MB) per second, which dominated sparse replays: the bundled
     * 10-minute demo spent ~5 s of its ~9 s there.
     */
    static final long CONNECTION_SWEEP_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** The idle-host sweep covers the whole table once per minute of capture time. */
    static final long HOST_SWEEP_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long PUBLISH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long HOUR_NANOS = TimeUnit.HOURS.toNanos(1);
    static final int DEFAULT_MAX_FLAGGED = 10_000;
    /**
     * Connect failures corroborate a volume finding when at least this share of the detector's window's attempts
     * failed (RST or no SYN-ACK), over at least {@link #CORROBORATING_FAILURE_ATTEMPTS}. A legitimate MTA's
     * connections to MX hosts nearly all succeed: a destination that fails is marked dead and not tried again
     * for minutes (Postfix's dead-host cache, "smtp_connect_timeout" of 30 s, minimal backoff 300 s), so a
     * fifth of its attempts failing is already ten times what a healthy queue shows; a spambot on a harvested
     * MX list sees 30 to 60% fail (rules/README.md, "Evidence model").
     */
    static final double CORROBORATING_FAILURE_SHARE = 0.2;
    static final double CORROBORATING_FAILURE_ATTEMPTS = 10;
    /** How a firing stands in the evidence model: as the rule says, corroborated volume, or volume alone. */
    private static final int AS_RULED = 0;
    private static final int CORROBORATED = 1;
    private static final int VOLUME_ALONE = 2;

    private static final Logger LOG = LoggerFactory.getLogger(RateAnalyser.class);

    private static final int ROW_INTS = 7;
    private static final int CONCURRENT = 0;
    private static final int CLASS = 2;
    private static final int GENERATION = 3;
    private static final int ALERTED = 4;
    private static final int ALERT_HOUR = 5;
    /** Index + 1 of the host's flagged record, 0 when it has none. */
    private static final int FLAG = 6;

    private final Supplier<Policy> policySource;
    private final Verdicts verdicts;
    private final HostTable hosts;
    private final ConnectionTable connections;
    private final FlaggedHosts flagged;
    private final PrefixAggregate prefixes;
    private final WindowSlot[] slots = new WindowSlot[CompiledPolicy.MAX_WINDOWS];
    private final XorShift random = new XorShift(0x00C0_FFEEL);
    private final Counters counters = new Counters();
    private final RateStats stats = new RateStats();
    private CompiledPolicy compiled;
    private int[] slotOrder;
    private int[] rowInts;
    private long[] blockedUntil;
    private int rowCapacity;

    private final SweepPacer connectionPacer = new SweepPacer(CONNECTION_SWEEP_NANOS);
    private final SynDeadlines synDeadlines;
    private final SweepPacer hostPacer = new SweepPacer(HOST_SWEEP_NANOS);
    private int connectionCursor;
    private long publishedNanos = Long.MIN_VALUE;

    /** Plain counters of the analysis thread, copied to {@link RateStats} now and then. */
    static final class Counters
    {
        long idleEvictions;
        long capacityEvictions;
        long connectionEvictions;
        long synsSeen;
        long synRetransmissions;
        long failuresDetected;
        long verdictRequests;
    }

    /**
     * @param policy         the current policy; may return a new object after a reload, host state is kept
     * @param verdicts       the shared decision rules decisions go through
     * @param maxHosts       hard cap on tracked inside hosts
     * @param maxConnections hard cap on connections followed at once
     */
    public RateAnalyser(final Supplier<Policy> policy, final Verdicts verdicts, final int maxHosts,
        final int maxConnections)
    {
        this(policy, verdicts, maxHosts, maxConnections, DEFAULT_MAX_FLAGGED);
    }

    RateAnalyser(final Supplier<Policy> policy, final Verdicts verdicts, final int maxHosts,
        final int maxConnections, final int maxFlagged)
    {
        this.policySource = policy;
        this.verdicts = verdicts;
        this.hosts = new HostTable(maxHosts);
        this.connections = new ConnectionTable(maxConnections);
        this.synDeadlines = new SynDeadlines(maxConnections);
        this.flagged = new FlaggedHosts(maxFlagged);
        this.prefixes = new PrefixAggregate(verdicts, maxHosts, this::memberValue);
        for (int s = 0; s < slots.length; s++)
        {
            slots[s] = new WindowSlot();
        }
        rowCapacity = hosts.capacity();
        rowInts = new int[rowCapacity * ROW_INTS];
        blockedUntil = new long[rowCapacity];
        install(policy.get());
        publish();
    }

    /** Told of every failed port-25 connection attempt (RST or no SYN-ACK), e.g. to feed the sequential test. */
    @FunctionalInterface
    public interface ConnectFailureListener
    {
        void onConnectFailure(long hi, long lo, long nowNanos);
    }

    /** Whether an IPv6 prefix's bad SMTP outcomes back up a tripped rate threshold of the prefix. */
    @FunctionalInterface
    public interface PrefixCorroboration
    {
        boolean corroborates(long prefixHi, int bits, long nowNanos);
    }

    private Corroboration corroboration = Corroboration.NONE;
    private ConnectFailureListener failureListener;

    /**
     * What backs a volume finding before it may block; set before the pipeline starts. The default,
     * {@link Corroboration#NONE}, never does, so volume then only alerts unless the host's own connect failures
     * corroborate it ({@link #CORROBORATING_FAILURE_SHARE}).
     */
    public void setCorroboration(final Corroboration corroboration)
    {
        this.corroboration = corroboration;
    }

    /** Set before the pipeline starts; null (the default) lets a prefix's rate thresholds block on their own. */
    public void setPrefixCorroboration(final PrefixCorroboration corroboration)
    {
        prefixes.setCorroboration(corroboration);
    }

    /** Set before the pipeline starts. */
    public void setConnectFailureListener(final ConnectFailureListener listener)
    {
        this.failureListener = listener;
    }

    public RateStats stats()
    {
        return stats;
    }

    /** Bytes of table per tracked host under the current policy, from the array strides. */
    long bytesPerHost()
    {
        long bytes = hosts.bytesPerRow() + ROW_INTS * Integer.BYTES + Long.BYTES;
        for (final WindowSlot slot : slots)
        {
            if (slot.inUse())
            {
                bytes += slot.bytesPerRow();
            }
        }
        return bytes;
    }

    @Override
    public void onSegment(final PacketEvent e)
    {
        final int direction = e.direction;
        if (direction != PacketEvent.DIR_OUTBOUND && direction != PacketEvent.DIR_INBOUND)
        {
            return;
        }
        final CompiledPolicy cp = currentPolicy();
        final long now = e.timestampNanos;
        final int flags = e.tcpFlags;
        final int serverPort = e.serverPort();
        final int group = serverPort == 25 ? WindowSlot.RELAY : WindowSlot.SUBMISSION;
        final long hi = e.hostHi();
        final long lo = e.hostLo();
        final long serverHi = e.serverHi();
        final long serverLo = e.serverLo();
        final int packedPorts = ConnectionTable.pack(e.clientPort(), serverPort);
        final ConnectionTable table = connections;
        final int slot = table.find(hi, lo, serverHi, serverLo, packedPorts);
        final int syn = PacketEvent.TCP_SYN;
        final int ack = PacketEvent.TCP_ACK;
        final int rst = PacketEvent.TCP_RST;

        if (direction == PacketEvent.DIR_OUTBOUND)
        {
            if ((flags & (syn | ack | rst)) == syn)
            {
                onSyn(cp, e, now, hi, lo, group, serverHi, serverLo, packedPorts, slot);
            }
            else if (slot >= 0)
            {
                if ((flags & (rst | PacketEvent.TCP_FIN)) != 0)
                {
                    close(cp, slot, now, false);
                }
                else if (table.state(slot) == ConnectionTable.ESTABLISHED)
                {
                    table.timeNanos(slot, now);
                }
            }
            return;
        }
        if (slot < 0)
        {
            return;
        }
        final byte state = table.state(slot);
        if ((flags & rst) != 0)
        {
            close(cp, slot, now, state == ConnectionTable.SYN_SENT);
        }
        else if ((flags & (syn | ack)) == (syn | ack) && state == ConnectionTable.SYN_SENT)
        {
            table.state(slot, ConnectionTable.ESTABLISHED);
            table.timeNanos(slot, now);
            final int row = touch(cp, cp.lookup(e.hostClass), hi, lo, now);
            rowInts[row * ROW_INTS + CONCURRENT + group]++;
            evaluate(cp, row, now);
        }
        else if ((flags & PacketEvent.TCP_FIN) != 0)
        {
            close(cp, slot, now, false);
        }
        else if (state == ConnectionTable.ESTABLISHED)
        {
            table.timeNanos(slot, now);
        }
    }

    private void onSyn(
        final CompiledPolicy cp,
        final PacketEvent e,
        final long now,
        final long hi,
        final long lo,
        final int group,
        final long serverHi,
        final long serverLo,
        final int packedPorts,
        final int existing)
    {
        final ConnectionTable table = connections;
        final CompiledPolicy.CompiledClass eventClass = cp.lookup(e.hostClass);
        final int row;
        if (existing >= 0)
        {
            if (table.state(existing) == ConnectionTable.SYN_SENT)
            {
                if (now - table.timeNanos(existing) < cp.synTimeoutNanos)
                {
                    counters.synRetransmissions++;
                    return;
                }
                row = touch(cp, eventClass, hi, lo, now);
                countFailure(cp, row, group, now);
            }
            else
            {
                // The server side closed without our seeing it and the port is reused: a new attempt.
                row = touch(cp, eventClass, hi, lo, now);
                leave(row, group);
                table.state(existing, ConnectionTable.SYN_SENT);
            }
            table.timeNanos(existing, now);
            synDeadlines.add(hi, lo, serverHi, serverLo, packedPorts, now);
        }
        else
        {
            if (table.isFull())
            {
                evictConnection(cp, now);
            }
            table.insert(hi, lo, serverHi, serverLo, packedPorts, ConnectionTable.SYN_SENT, now);
            synDeadlines.add(hi, lo, serverHi, serverLo, packedPorts, now);
            row = touch(cp, eventClass, hi, lo, now);
        }
        counters.synsSeen++;
        final int bit = HostTable.hash(serverHi, serverLo) >>> 25;
        for (final WindowSlot w : slots)
        {
            if (w.inUse())
            {
                w.add(row, group, WindowSlot.ATTEMPTS);
                w.mark(row, group, bit);
            }
        }
        final int link = rowInts[row * ROW_INTS + FLAG];
        if (link != 0)
        {
            final FlaggedHosts.Record record = flagged.get(link - 1);
            final int serverPort = packedPorts & 0xffff;
            if (serverPort == 25 && record.blockCheckDue(now))
            {
                // a flagged host's SYNs only, once a minute: the verdicts' lookup allocates, so it stays rare
                record.blockChecked(verdicts.blockedUntilNanos(hi, lo, now), now);
            }
            record.attempt(serverHi, serverLo, serverPort, now, serverPort == 25 && record.blockedAt(now));
            flagged.touch(link - 1, now);
        }
        evaluate(cp, row, now);
        if (!blocked(row, now))
        {
            prefixes.attempt(cp, classOf(cp, row), row, hi, lo, group, bit, now);
        }
    }

    private boolean blocked(final int row, final long now)
    {
        return blockedUntil[row] != 0 && blockedUntil[row] - now > 0;
    }

    /**
     * Ends the connection in {@code slot}: counts a failure when it never got established. Returns true when
     * the table moved another entry into {@code slot} (a sweep must look at it again).
     */
    private boolean close(final CompiledPolicy cp, final int slot, final long now, final boolean failed)
    {
        final ConnectionTable table = connections;
        final byte state = table.state(slot);
        final long hi = table.clientHi(slot);
        final long lo = table.clientLo(slot);
        final int group = (table.ports(slot) & 0xffff) == 25 ? WindowSlot.RELAY : WindowSlot.SUBMISSION;
        final boolean refilled = table.remove(slot);
        if (state == ConnectionTable.ESTABLISHED)
        {
            // one open connection fewer cannot make any detector fire: no evaluation
            final int row = hosts.find(hi, lo);
            if (row >= 0)
            {
                leave(row, group);
            }
        }
        else if (failed)
        {
            final int row = touch(cp, null, hi, lo, now);
            countFailure(cp, row, group, now);
            evaluate(cp, row, now);
            if (!blocked(row, now))
            {
                prefixes.judge(cp, classOf(cp, row), row, hi, lo, now);
            }
        }
        return refilled;
    }

    /** One open connection fewer, never below zero (a count lost to an eviction stays at zero). */
    private void leave(final int row, final int group)
    {
        final int i = row * ROW_INTS + CONCURRENT + group;
        if (rowInts[i] > 0)
        {
            rowInts[i]--;
        }
    }

    private void countFailure(final CompiledPolicy cp, final int row, final int group, final long now)
    {
        counters.failuresDetected++;
        if (!blocked(row, now))
        {
            prefixes.failure(cp, classOf(cp, row), hosts.hi(row), hosts.lo(row), group, now);
        }
        if (failureListener != null && group == WindowSlot.RELAY)
        {
            failureListener.onConnectFailure(hosts.hi(row), hosts.lo(row), now);
        }
        for (final WindowSlot w : slots)
        {
            if (w.inUse())
            {
                w.add(row, group, WindowSlot.FAILURES);
            }
        }
        final int link = rowInts[row * ROW_INTS + FLAG];
        if (link != 0)
        {
            flagged.get(link - 1).failure(now);
        }
    }

    private void evictConnection(final CompiledPolicy cp, final long now)
    {
        final int victim = connections.sampleVictim(random);
        counters.connectionEvictions++;
        close(cp, victim, now, false);
    }

    /**
     * The host's row, created if new (evicting at the cap), with its windows moved on to {@code now} and its
     * class resolved: from the event when the event carries a class of the current policy, else kept, else
     * looked up again after a policy change.
     */
    private int touch(
        final CompiledPolicy cp, final CompiledPolicy.CompiledClass eventClass, final long hi, final long lo,
        final long now)
    {
        int row = hosts.find(hi, lo);
        if (row < 0)
        {
            if (hosts.isFull())
            {
                hosts.remove(hosts.sampleVictim(random));
                counters.capacityEvictions++;
            }
            row = hosts.insert(hi, lo, now);
            if (hosts.capacity() != rowCapacity)
            {
                growRows();
            }
            final int base = row * ROW_INTS;
            Arrays.fill(rowInts, base, base + ROW_INTS, 0);
            blockedUntil[row] = 0;
            WindowSlot.clearRow(slots, row);
            if (flagged.size() > 0)
            {
                rowInts[base + FLAG] = flagged.find(hi, lo) + 1;
            }
            final CompiledPolicy.CompiledClass cls = eventClass != null ? eventClass : cp.classify(hi, lo);
            rowInts[base + CLASS] = cls.index;
            rowInts[base + GENERATION] = cp.generation;
            return row;
        }
        final long last = hosts.lastSeen(row);
        if (now - last > 0)
        {
            WindowSlot.roll(slots, row, last, now);
            hosts.lastSeen(row, now);
        }
        final int base = row * ROW_INTS;
        if (rowInts[base + GENERATION] != cp.generation)
        {
            rowInts[base + CLASS] = (eventClass != null ? eventClass : cp.classify(hi, lo)).index;
            rowInts[base + GENERATION] = cp.generation;
            rowInts[base + ALERTED] = 0;
        }
        else if (eventClass != null && rowInts[base + CLASS] != eventClass.index)
        {
            rowInts[base + CLASS] = eventClass.index;
            rowInts[base + ALERTED] = 0;
        }
        return row;
    }

    /** The row's class under the current policy, looked up again when the policy changed since. */
    private CompiledPolicy.CompiledClass classOf(final CompiledPolicy cp, final int row)
    {
        final int base = row * ROW_INTS;
        if (rowInts[base + GENERATION] != cp.generation)
        {
            rowInts[base + CLASS] = cp.classify(hosts.hi(row), hosts.lo(row)).index;
            rowInts[base + GENERATION] = cp.generation;
            rowInts[base + ALERTED] = 0;
        }
        return cp.classes[rowInts[base + CLASS]];
    }

    private void growRows()
    {
        rowCapacity = hosts.capacity();
        rowInts = Arrays.copyOf(rowInts, rowCapacity * ROW_INTS);
        blockedUntil = Arrays.copyOf(blockedUntil, rowCapacity);
        WindowSlot.grow(slots, rowCapacity);
    }

    /** Runs the class's detectors on a row whose counters just changed. */
    private void evaluate(final CompiledPolicy cp, final int row, final long now)
    {
        final int base = row * ROW_INTS;
        final CompiledPolicy.CompiledClass cls = classOf(cp, row);
        final int hour = (int)(now / HOUR_NANOS);
        if (rowInts[base + ALERT_HOUR] != hour)
        {
            rowInts[base + ALERT_HOUR] = hour;
            rowInts[base + ALERTED] = 0;
        }
        final long lastSeen = hosts.lastSeen(row);
        final long at = Math.max(now, lastSeen);
        final int count = cls.detectors.length;
        for (int d = 0; d < count; d++)
        {
            final boolean volume = needsCorroboration(cls, d);
            final boolean alerted = (rowInts[base + ALERTED] & (1 << d)) != 0;
            if (alerted && !volume)
            {
                continue;
            }
            if (cls.blocks[d] && blockedUntil[row] != 0 && blockedUntil[row] - now > 0)
            {
                continue;
            }
            final double value = value(cls, d, row, lastSeen, at);
            if (!crosses(cls, d, value))
            {
                continue;
            }
            if (!volume)
            {
                fire(cls, d, row, value, at, AS_RULED);
            }
            else if (corroborated(cls, d, row, lastSeen, at))
            {
                fire(cls, d, row, value, at, CORROBORATED);
            }
            else if (!alerted)
            {
                fire(cls, d, row, value, at, VOLUME_ALONE);
            }
        }
    }

    /**
     * Volume never blocks on its own (rules/README.md, "Evidence model"): a blocking attempts, fan-out or concurrency
     * detector in a detect-then-block class needs corroboration. Failure counts and ratios are badness in
     * themselves (a scan is mostly failed connects) and block as the rule says.
     */
    private static boolean needsCorroboration(final CompiledPolicy.CompiledClass cls, final int d)
    {
        final RateMetric metric = cls.metric[d];
        return cls.blocks[d] && cls.hostClass.mode() == Port25Mode.DETECT_THEN_BLOCK
            && metric != RateMetric.FAILURES && metric != RateMetric.FAILURE_RATIO;
    }

    /**
     * Whether independent badness backs a volume crossing: the sequential test's dialogue evidence, or the
     * host's own failed connects making up {@link #CORROBORATING_FAILURE_SHARE} of the window's attempts (all a
     * TLS-only sender shows). Not corroborated means not yet: the crossing alerts once, and the detector is
     * asked again on the host's next event, so the block comes when the evidence does. No allocation.
     */
    private boolean corroborated(final CompiledPolicy.CompiledClass cls, final int d, final int row,
        final long lastSeen, final long now)
    {
        return failureShare(cls, d, row, lastSeen, now) >= CORROBORATING_FAILURE_SHARE
            || corroboration.corroborates(hosts.hi(row), hosts.lo(row), now);
    }

    /** Failed share of the detector's window's attempts; 0 below the minimum attempts or without a window. */
    private double failureShare(final CompiledPolicy.CompiledClass cls, final int d, final int row,
        final long lastSeen, final long now)
    {
        if (cls.slot[d] < 0)
        {
            return 0;
        }
        final WindowSlot w = slots[cls.slot[d]];
        final int mask = cls.groupMask[d];
        final double attempts = w.estimate(row, mask, WindowSlot.ATTEMPTS, lastSeen, now);
        return attempts < CORROBORATING_FAILURE_ATTEMPTS ? 0
            : w.estimate(row, mask, WindowSlot.FAILURES, lastSeen, now) / attempts;
    }

    /** {@link PrefixAggregate.MemberValue}: a detector's figure for the host that made a prefix's latest event. */
    private double memberValue(final CompiledPolicy.CompiledClass cls, final int d, final int row, final long now)
    {
        return value(cls, d, row, hosts.lastSeen(row), Math.max(now, hosts.lastSeen(row)));
    }

    /** The detector's current figure; NaN for a ratio not yet judged (too few attempts). */
    private double value(
        final CompiledPolicy.CompiledClass cls, final int d, final int row, final long lastSeen, final long now)
    {
        final int mask = cls.groupMask[d];
        final RateMetric metric = cls.metric[d];
        if (metric == RateMetric.CONCURRENT)
        {
            return open(row, mask);
        }
        return windowValue(slots[cls.slot[d]], cls, d, row, lastSeen, now);
    }

    /**
     * A windowed detector's figure for a row of {@code w}, shared with {@link PrefixAggregate}, whose rows are
     * prefixes; NaN for a ratio not yet judged.
     */
    static double windowValue(
        final WindowSlot w, final CompiledPolicy.CompiledClass cls, final int d, final int row, final long lastSeen,
        final long now)
    {
        final int mask = cls.groupMask[d];
        switch (cls.metric[d])
        {
            case ATTEMPTS:
                return w.estimate(row, mask, WindowSlot.ATTEMPTS, lastSeen, now);
            case FAILURES:
                return w.estimate(row, mask, WindowSlot.FAILURES, lastSeen, now);
            case DISTINCT_DESTINATIONS:
                return w.distinct(row, mask, lastSeen, now);
            default:
                final double attempts = w.estimate(row, mask, WindowSlot.ATTEMPTS, lastSeen, now);
                if (attempts < cls.minAttempts[d])
                {
                    return Double.NaN;
                }
                return w.estimate(row, mask, WindowSlot.FAILURES, lastSeen, now) / attempts;
        }
    }

    /** Connections open now in the groups of {@code mask}. */
    private int open(final int row, final int mask)
    {
        int open = 0;
        for (int g = 0; g < WindowSlot.GROUPS; g++)
        {
            if ((mask & (1 << g)) != 0)
            {
                open += rowInts[row * ROW_INTS + CONCURRENT + g];
            }
        }
        return open;
    }

    /** Counts fire above the threshold; a ratio fires at or above it (NaN, not yet judged, never fires). */
    static boolean crosses(final CompiledPolicy.CompiledClass cls, final int d, final double value)
    {
        return cls.metric[d] == RateMetric.FAILURE_RATIO ? value >= cls.threshold[d] : value > cls.threshold[d];
    }

    /** A detector crossed its threshold: the rare path, where allocating is fine. */
    private void fire(
        final CompiledPolicy.CompiledClass cls, final int d, final int row,
        final double value, final long now, final int basis)
    {
        counters.verdictRequests++;
        final long hi = hosts.hi(row);
        final long lo = hosts.lo(row);
        final RateDetector detector = cls.detectors[d];
        final long windowNanos = cls.slot[d] < 0 ? 0 : slots[cls.slot[d]].windowNanos;
        final double attempts = cls.slot[d] < 0
            ? 0
            : slots[cls.slot[d]].estimate(row, cls.groupMask[d], WindowSlot.ATTEMPTS, hosts.lastSeen(row), now);
        final String sentence = Reasons.sentence(Addresses.format(hi, lo), detector.id(), cls.metric[d],
            detector.ports(), windowNanos, value, cls.threshold[d], attempts);
        final Map<String, Object> evidence = evidence(cls, d, row, value, now);
        final String reason;
        if (basis == CORROBORATED)
        {
            final double failed = failureShare(cls, d, row, hosts.lastSeen(row), now);
            evidence.put("basis", "corroborated: volume and badness evidence");
            final Map<String, Object> backing = new LinkedHashMap<>(corroboration.evidence(hi, lo, now));
            if (failed >= CORROBORATING_FAILURE_SHARE)
            {
                backing.put("failed_connect_share", Math.round(failed * 1000) / 1000.0);
            }
            evidence.put("corroborated_by", backing);
            reason = sentence + "; corroborated by "
                + (failed >= CORROBORATING_FAILURE_SHARE ? Math.round(failed * 100) + "% failed connects" : "bad dialogues");
        }
        else if (basis == VOLUME_ALONE)
        {
            evidence.put("basis", "volume alone");
            evidence.put("missing", "badness evidence: under " + Math.round(CORROBORATING_FAILURE_SHARE * 100)
                + "% of attempts failed, and " + corroboration.missing(hi, lo, now));
            reason = sentence + "; volume alone, so alert only";
        }
        else
        {
            reason = sentence;
        }
        final Decision decision = verdicts.decide(hi, lo, cls.hostClass, detector.ports(), detector.id(),
            basis == VOLUME_ALONE ? Action.ALERT : detector.action(), reason, evidence, now);
        final int base = row * ROW_INTS;
        final boolean wasBlocked = blocked(row, now);
        if (decision != null && decision.action() == Action.BLOCK && decision.expires() != null)
        {
            blockedUntil[row] = toNanos(decision.expires());
        }
        else
        {
            final long until = cls.blocks[d] ? verdicts.blockedUntilNanos(hi, lo, now) : 0;
            if (until != 0)
            {
                blockedUntil[row] = until;
            }
            else
            {
                rowInts[base + ALERTED] |= 1 << d;
            }
        }
        if (!wasBlocked && blocked(row, now))
        {
            prefixes.release(cls, slots, row, hi, lo, now);
        }
        int link = rowInts[base + FLAG];
        if (link == 0)
        {
            if (flagged.isFull())
            {
                dropFlagged(flagged.victim());
            }
            link = flagged.add(hi, lo, cls.hostClass.name(), hosts.firstSeen(row), now) + 1;
            rowInts[base + FLAG] = link;
            seedMinutes(flagged.get(link - 1), row);
        }
        flagged.touch(link - 1, now);
        flagged.get(link - 1).fired(new FlaggedHost.RuleFiring(detector.id(), Verdicts.toInstant(now),
            detector.action(), decision == null ? null : decision.action(), value, cls.threshold[d], reason));
    }

    /**
     * Starts a new flagged record's attempts-per-minute series with what the one-minute window already holds
     * (this minute and the one before, exact: buckets are aligned to the minute), so the report shows the
     * ramp that led to the first firing. Without a one-minute window the series starts empty.
     */
    private void seedMinutes(final FlaggedHosts.Record record, final int row)
    {
        for (final WindowSlot w : slots)
        {
            if (w.windowNanos == FlaggedHosts.MINUTE_NANOS)
            {
                int current = 0;
                int previous = 0;
                for (int g = 0; g < WindowSlot.GROUPS; g++)
                {
                    current += w.current(row, g, WindowSlot.ATTEMPTS);
                    previous += w.previous(row, g, WindowSlot.ATTEMPTS);
                }
                record.seedMinutes(hosts.lastSeen(row), current, previous);
                return;
            }
        }
    }

    private void dropFlagged(final int index)
    {
        final int row = hosts.find(flagged.hiOf(index), flagged.loOf(index));
        if (row >= 0)
        {
            rowInts[row * ROW_INTS + FLAG] = 0;
        }
        flagged.remove(index);
    }

    private Map<String, Object> evidence(
        final CompiledPolicy.CompiledClass cls, final int d, final int row, final double value, final long now)
    {
        final Map<String, Object> evidence = new LinkedHashMap<>();
        final int mask = cls.groupMask[d];
        final long lastSeen = hosts.lastSeen(row);
        evidence.put("class", cls.hostClass.name());
        evidence.put("ports", cls.detectors[d].ports().text());
        for (final int s : slotOrder)
        {
            windowEvidence(evidence, slots[s], row, mask, lastSeen, now);
        }
        evidence.put("concurrent_connections", open(row, mask));
        if (cls.metric[d] == RateMetric.FAILURE_RATIO)
        {
            evidence.put("observed", Math.round(value * 1000) / 1000.0);
            evidence.put("threshold", cls.threshold[d]);
            evidence.put("min_attempts", cls.minAttempts[d]);
        }
        else
        {
            evidence.put("observed", Reasons.number(value));
            evidence.put("threshold", Reasons.number(cls.threshold[d]));
        }
        return evidence;
    }

    /** A window's attempts, failures and (where watched) distinct destinations, keyed with the window's length. */
    static void windowEvidence(final Map<String, Object> evidence, final WindowSlot w, final int row, final int mask,
        final long lastSeen, final long now)
    {
        final String suffix = "_" + Reasons.window(w.windowNanos);
        evidence.put("attempts" + suffix, Reasons.number(w.estimate(row, mask, WindowSlot.ATTEMPTS, lastSeen, now)));
        evidence.put("failures" + suffix, Reasons.number(w.estimate(row, mask, WindowSlot.FAILURES, lastSeen, now)));
        if (w.hasDistinct())
        {
            evidence.put("distinct_destinations" + suffix, Reasons.number(w.distinct(row, mask, lastSeen, now)));
        }
    }

    @Override
    public void onTick(final long nowNanos)
    {
        final CompiledPolicy cp = currentPolicy();
        expireSyns(cp, nowNanos);
        sweepConnections(cp, nowNanos);
        sweepHosts(cp, nowNanos);
        prefixes.onTick(cp, nowNanos);
        if (publishedNanos == Long.MIN_VALUE || nowNanos - publishedNanos >= PUBLISH_NANOS)
        {
            publishedNanos = nowNanos;
            publish();
        }
    }

    @Override
    public void onEnd(final long nowNanos)
    {
        onTick(nowNanos);
        // the end of input settles every timeout already due, whatever the sweep's pace
        sweepConnections(currentPolicy(), nowNanos, connections.slotCount());
        publish();
    }

    /** SYN timeouts, oldest first, each dated when it ran out; see {@link SynDeadlines}. */
    private void expireSyns(final CompiledPolicy cp, final long now)
    {
        final SynDeadlines queue = synDeadlines;
        final ConnectionTable table = connections;
        while (!queue.isEmpty())
        {
            final int i = queue.head();
            final long sent = queue.sentNanos(i);
            final long deadline = sent + cp.synTimeoutNanos;
            if (now - deadline < 0)
            {
                return;
            }
            final int slot = table.find(queue.clientHi(i), queue.clientLo(i), queue.serverHi(i), queue.serverLo(i),
                queue.ports(i));
            queue.pop();
            if (slot >= 0 && table.state(slot) == ConnectionTable.SYN_SENT && table.timeNanos(slot) == sent)
            {
                close(cp, slot, deadline, true);
            }
        }
    }

    private void sweepConnections(final CompiledPolicy cp, final long now)
    {
        sweepConnections(cp, now, connectionPacer.budget(now, connections.slotCount()));
    }

    private void sweepConnections(final CompiledPolicy cp, final long now, final int budget)
    {
        final ConnectionTable table = connections;
        final int total = table.slotCount();
        int i = connectionCursor;
        for (int n = 0; n < budget; n++)
        {
            final byte state = table.state(i);
            boolean again = false;
            if (state == ConnectionTable.SYN_SENT && now - table.timeNanos(i) >= cp.synTimeoutNanos)
            {
                // dated when the timeout ran out, not when the sweep came by, so replays do not depend on pacing
                again = close(cp, i, table.timeNanos(i) + cp.synTimeoutNanos, true);
            }
            else if (state == ConnectionTable.ESTABLISHED && now - table.timeNanos(i) >= ESTABLISHED_IDLE_NANOS)
            {
                again = close(cp, i, now, false);
            }
            if (!again)
            {
                i = (i + 1) & (total - 1);
            }
        }
        connectionCursor = i;
    }

    private void sweepHosts(final CompiledPolicy cp, final long now)
    {
        counters.idleEvictions += hosts.evictIdle(hostPacer.budget(now, hosts.highWater()), now, cp.idleHostNanos);
    }

    private CompiledPolicy currentPolicy()
    {
        final Policy policy = policySource.get();
        if (policy != compiled.policy)
        {
            install(policy);
        }
        return compiled;
    }

    /** Compiles a (new) policy; windows it keeps keep their counts, new windows start empty. */
    private void install(final Policy policy)
    {
        final long[] previous = new long[CompiledPolicy.MAX_WINDOWS];
        for (int s = 0; s < slots.length; s++)
        {
            previous[s] = slots[s].windowNanos;
        }
        final CompiledPolicy cp = new CompiledPolicy(policy, previous, compiled == null ? 1 : compiled.generation + 1);
        final List<Integer> order = new ArrayList<>();
        for (int s = 0; s < slots.length; s++)
        {
            final long window = cp.slotWindows[s];
            if (window == 0)
            {
                slots[s].release();
                continue;
            }
            if (slots[s].windowNanos != window)
            {
                slots[s].assign(window, rowCapacity, cp.slotDistinct[s]);
            }
            else
            {
                slots[s].distinct(cp.slotDistinct[s], rowCapacity);
            }
            order.add(s);
        }
        order.sort((a, b) -> Long.compare(cp.slotWindows[a], cp.slotWindows[b]));
        slotOrder = order.stream().mapToInt(Integer::intValue).toArray();
        for (final String drop : cp.dropped)
        {
            LOG.warn("rate detector {} ignored", drop);
        }
        compiled = cp;
    }

    private void publish()
    {
        stats.publish(counters, hosts.size(), hosts.maxRows(), connections.size(), flagged.size());
        stats.publishPrefixes(prefixes.size(), prefixes.idleEvictions(), prefixes.capacityEvictions());
    }

    private static long toNanos(final Instant instant)
    {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    /**
     * Forgets what the analyser remembers of decisions about a host (its block end and the alerts it was
     * given this hour), so its detectors are judged afresh on its next counted event. For the command that
     * lifts a block early: without it the analyser would stay quiet about the host until the lifted block's
     * original end. Counters are kept.
     */
    public void clearSuppression(final long hi, final long lo)
    {
        final int row = hosts.find(hi, lo);
        if (row >= 0)
        {
            blockedUntil[row] = 0;
            rowInts[row * ROW_INTS + ALERTED] = 0;
        }
    }

    /** The same for an IPv6 prefix (its block end and fired alerts, see {@link PrefixAggregate}). */
    public void clearSuppression(final HostKey prefix)
    {
        prefixes.clearSuppression(prefix);
    }

    /** What the prefix aggregate holds about an IPv6 prefix as of {@code nowNanos}, for explain; null when untracked. */
    public Map<String, Object> prefixSnapshot(final HostKey prefix, final long nowNanos)
    {
        return prefixes.snapshot(currentPolicy(), prefix, nowNanos);
    }

    /** IPv6 prefixes tracked beside the hosts. */
    public int trackedPrefixes()
    {
        return prefixes.size();
    }

    /** Bytes of table per tracked prefix under the current policy, from the array strides. */
    long bytesPerPrefix()
    {
        return prefixes.bytesPerPrefix();
    }

    /** Report detail of every host that fired at least once (at most 10,000, least recently seen dropped). */
    public List<FlaggedHost> flaggedHosts()
    {
        return flagged.toList();
    }

    /**
     * What the analyser holds about a host as of {@code nowNanos}: every window's counts and every detector's
     * value against its threshold. Null when the host is not tracked.
     */
    public HostSnapshot snapshot(final long hi, final long lo, final long nowNanos)
    {
        final int row = hosts.find(hi, lo);
        if (row < 0)
        {
            return null;
        }
        final CompiledPolicy cp = currentPolicy();
        final int base = row * ROW_INTS;
        final CompiledPolicy.CompiledClass cls = classOf(cp, row);
        final long lastSeen = hosts.lastSeen(row);
        final List<HostSnapshot.WindowCounts> windows = new ArrayList<>();
        for (final int s : slotOrder)
        {
            final WindowSlot w = slots[s];
            for (final PortGroup group : List.of(PortGroup.RELAY, PortGroup.SUBMISSION))
            {
                final int mask = CompiledPolicy.maskOf(group);
                windows.add(new HostSnapshot.WindowCounts(Duration.ofNanos(w.windowNanos), group,
                    w.estimate(row, mask, WindowSlot.ATTEMPTS, lastSeen, nowNanos),
                    w.estimate(row, mask, WindowSlot.FAILURES, lastSeen, nowNanos),
                    w.distinct(row, mask, lastSeen, nowNanos)));
            }
        }
        final List<HostSnapshot.DetectorValue> detectors = new ArrayList<>();
        for (int d = 0; d < cls.detectors.length; d++)
        {
            final RateDetector detector = cls.detectors[d];
            final double value = value(cls, d, row, lastSeen, nowNanos);
            detectors.add(new HostSnapshot.DetectorValue(detector.id(), detector.metric(), detector.ports(),
                cls.slot[d] < 0 ? null : Duration.ofNanos(slots[cls.slot[d]].windowNanos), value,
                cls.threshold[d], crosses(cls, d, value), detector.action()));
        }
        final long blocked = blockedUntil[row];
        return new HostSnapshot(Addresses.format(hi, lo), cls.hostClass.name(),
            Verdicts.toInstant(hosts.firstSeen(row)), Verdicts.toInstant(lastSeen),
            blocked != 0 && blocked - nowNanos > 0 ? Verdicts.toInstant(blocked) : null, windows,
            rowInts[base + CONCURRENT + WindowSlot.RELAY], rowInts[base + CONCURRENT + WindowSlot.SUBMISSION],
            detectors);
    }
}
