package org.egress25.analysis;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.egress25.host.Action;
import org.egress25.decision.Corroboration;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.decision.Verdicts;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.PortGroup;
import org.egress25.policy.SprtRules;

/**
 * A sequential probability ratio test per inside host, after SPOT (Duan et al., "Detecting Spam Zombies by
 * Monitoring Outgoing Messages", INFOCOM 2009): each SMTP attempt is one Bernoulli observation, bad with
 * probability theta1 if the host is a spambot and theta0 if it is clean. The test keeps
 * <pre>
 *   LLR = bad * ln(theta1 / theta0) + good * ln((1 - theta1) / (1 - theta0))
 * </pre>
 * over the observations of its current run and stops at Wald's bounds: at or above ln((1 - beta) / alpha) the
 * host is judged a spambot and a block is asked of {@link Verdicts} (rule {@code sprt}, port group relay); at or
 * below ln(beta / (1 - alpha)) it is judged clean and the test restarts at 0. A host without observations for
 * {@link SprtRules#idleReset()} restarts at 0 too.
 *
 * <h2>Why the default alpha should be 1e-6, not SPOT's 0.01</h2>
 * alpha bounds the false-positive rate of <em>one</em> test, but a clean host runs test after test: with
 * theta0 = 0.2 and theta1 = 0.9 a test of a clean host ends after about 3.4 observations (three accepted
 * sessions take the LLR from 0 to -6.2, past -4.6), so a small MTA making 480 sessions a day runs about 150
 * tests a day, 56,000 a year. With SPOT's alpha = beta = 0.01 the spambot bound is ln 99 = 4.6 and four bad
 * observations in a row (4 x 1.50 = 6.0) cross it. For an MTA whose sessions are bad 10% of the time (8%
 * greylisted with 450, 2% bounced with 550) that happens with probability 2.0% per day (exact, by dynamic
 * programming over the walk's lattice of states), near certainty within a year. With alpha = 1e-6 the bound is
 * ln(0.99e6) = 13.8: ten bad observations in a row from a fresh test (nine give 13.5), and the same MTA crosses
 * with probability 3.4e-8 per day, 1.2e-5 per year; a sloppier one with 13% bad sessions 2e-4 per year. The
 * price is speed against abusers, which stays small: a slow spambot whose sessions are 80% bad is blocked after 18
 * sessions on average (6 minutes at 3 a minute; 99 in 100 within 15 minutes). Under SPOT's parameters the
 * simulated MTA of the tests is blocked 6 times in a year; under these, never. Details and the table of
 * alternatives are in {@code rules/README.md}.
 *
 * <h2>What an observation is</h2>
 * The caller (the SMTP dialogue tracker) reports one observation per session: {@link #observeBad} with the
 * worst kind seen (a suggested order: blocklist, rejected, unknown users, no DATA, HELO) or
 * {@link #observeGood} when a transaction was accepted (250 after DATA or BDAT LAST). Each kind adds its own
 * step, ln(p1/p0) from {@code sprt.likelihoods} or theta0/theta1 (the evidence model in rules/README.md).
 * Encrypted sessions (STARTTLS, 465) are only counted ({@link #observeEncrypted}); so are failed connects,
 * which carry no step: a clean STARTTLS-only MTA shows no good observation, and a count of its failures would
 * only grow (the rate analyser weighs failures as a share of attempts instead). HELO oddities alone never
 * block (rules/README.md, "Evidence model"): a test whose bad observations are all {@link #BAD_HELO} asks for
 * an alert, not a block.
 *
 * <h2>Corroboration</h2>
 * The same test backs volume findings ({@link #corroborates}): a rate or fan-out threshold may block only once
 * the host's LLR reaches ln((1 - beta) / corroboration-alpha), 6.9 by default.
 *
 * <h2>After a decision</h2>
 * The test that decided is kept, frozen, until the block ends (or, for an alert, for
 * {@link Verdicts#ALERT_QUIET_NANOS}), so an operator can see what decided it and a blocked host does not make
 * a decision (and its strings) every ten attempts; observations in that time are ignored. When the hold ends
 * the next observation starts a fresh test, so a host that resumes is blocked again with the ladder's next step.
 *
 * <h2>State</h2>
 * Owned by the analysis thread. Hosts live in a {@link HostTable} of at most {@code maxHosts} rows (36 to 40
 * bytes each) plus 32 bytes of counts and 8 of hold time per row; at the cap the least recently seen of 8
 * sampled rows is evicted ({@link #evictions()}), and an incremental sweep paced by the capture clock removes
 * hosts idle past the reset. No allocation per observation; a decision allocates its reason and evidence.
 */
public final class SequentialVerdict implements Corroboration
{
    public static final int BAD_CONNECT_FAILED = 0;
    public static final int BAD_REJECTED = 1;
    public static final int BAD_NO_DATA = 2;
    public static final int BAD_HELO = 3;
    public static final int BAD_BLOCKLIST = 4;
    /** Every refused recipient was refused as unknown (550 5.1.1): a mailbox-level refusal, weaker evidence. */
    public static final int BAD_UNKNOWN_USERS = 5;
    private static final int KINDS = 6;

    private static final String[] KIND_KEYS = {
        "bad_connect_failed", "bad_rejected", "bad_no_data", "bad_helo", "bad_blocklist", "bad_unknown_users"};
    /** Labels read before a count ("blocklist reply 7"), so one form fits 1 and 7. */
    private static final String[] KIND_WORDS = {
        "connect failed", "rejected by the server", "no DATA accepted", "odd HELO", "blocklist reply",
        "unknown recipients"};
    /** Each kind's name in {@code sprt.likelihoods}; null for connect failures, which carry no step. */
    private static final String[] KIND_RULES = {null, "rejected", "no-data", "odd-helo", "blocklist", "unknown-users"};
    /** The order kinds are named in a reason: the most telling first. */
    private static final int[] KIND_ORDER = {
        BAD_BLOCKLIST, BAD_REJECTED, BAD_UNKNOWN_USERS, BAD_NO_DATA, BAD_HELO, BAD_CONNECT_FAILED};

    /** Row layout in {@link #counts}: good, the six bad kinds, encrypted, decided flag. */
    private static final int GOOD = 0;
    private static final int BAD = 1;
    private static final int ENCRYPTED = BAD + KINDS;
    private static final int DECIDED = ENCRYPTED + 1;
    private static final int ROW_INTS = DECIDED + 1;

    /** The idle sweep covers the table once a minute of capture time: an idle host goes at most 1 min late. */
    private static final long SWEEP_PERIOD_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Supplier<Policy> policy;
    private final Verdicts verdicts;
    private final HostTable hosts;
    /**
     * The same test run per IPv6 prefix (the class's {@code ipv6-prefix}) over the observations of its
     * addresses, keyed by the prefix's high bits and its length; null in the prefix instance itself.
     */
    private final SequentialVerdict prefixTests;
    private final XorShift random = new XorShift(0x5EC_0E71L);
    private final SweepPacer pacer = new SweepPacer(SWEEP_PERIOD_NANOS);
    private int[] counts;
    private long[] holdUntilNanos;
    private int rowCapacity;
    private int sweepCursor;

    private SprtRules rules;
    private final double[] steps = new double[KINDS];
    private double goodStep;
    private double upper;
    private double lower;
    private double corroborationBound;
    private long idleNanos;

    private long evictions;
    private long idleExpiries;
    private long decisions;
    private long cleanVerdicts;
    private long encryptedSessions;

    /**
     * @param policy   read on every call; parameters are recomputed only when the policy object changes
     * @param verdicts applies class mode, suppression and the block ladder to what the test decides
     * @param maxHosts hard cap on hosts with a test running
     */
    public SequentialVerdict(final Supplier<Policy> policy, final Verdicts verdicts, final int maxHosts)
    {
        this(policy, verdicts, maxHosts, true);
    }

    private SequentialVerdict(final Supplier<Policy> policy, final Verdicts verdicts, final int maxHosts,
        final boolean ofHosts)
    {
        this.policy = policy;
        this.verdicts = verdicts;
        this.hosts = new HostTable(maxHosts);
        this.rowCapacity = hosts.capacity();
        this.counts = new int[rowCapacity * ROW_INTS];
        this.holdUntilNanos = new long[rowCapacity];
        this.prefixTests = ofHosts ? new SequentialVerdict(policy, verdicts, maxHosts, false) : null;
    }

    /** A bad observation of one of the {@code BAD_*} kinds; an unknown kind is ignored. */
    public void observeBad(
        final long hi, final long lo, final HostClass hostClass, final int badKind, final long nowNanos)
    {
        if (badKind < BAD_CONNECT_FAILED || badKind >= KINDS)
        {
            return;
        }
        observe(hi, lo, hostClass, BAD + badKind, nowNanos);
    }

    /** A mail transaction accepted (250 after DATA or BDAT LAST). */
    public void observeGood(final long hi, final long lo, final HostClass hostClass, final long nowNanos)
    {
        observe(hi, lo, hostClass, GOOD, nowNanos);
    }

    /**
     * An encrypted session: neither good nor bad, since its outcome is unseen. Counted for hosts with a test
     * running (shown in snapshots and evidence) and in {@link #encryptedSessions()}; it neither starts a test
     * nor keeps one from going idle.
     */
    public void observeEncrypted(final long hi, final long lo, final long nowNanos)
    {
        encryptedSessions++;
        final int row = hosts.find(hi, lo);
        if (row >= 0 && isLive(row, nowNanos))
        {
            counts[row * ROW_INTS + ENCRYPTED]++;
        }
    }

    /**
     * Whether the host's current test backs a volume finding: its log-likelihood ratio has reached the
     * corroboration bound ln((1 - beta) / corroboration-alpha), 6.9 by default, five refused or blocklisted
     * sessions with no accepted one between them. One greylisted or bounced message of a busy MTA is not
     * enough: greylisting is no observation at all, an unknown recipient adds 1.10, and every accepted message
     * takes 2.08 off. Connect failures carry no step here; the rate analyser weighs them as a share of attempts.
     * No allocation.
     */
    @Override
    public boolean corroborates(final long hi, final long lo, final long nowNanos)
    {
        refresh();
        final int row = hosts.find(hi, lo);
        if (row < 0 || !isLive(row, nowNanos))
        {
            return false;
        }
        return llr(row * ROW_INTS) >= corroborationBound;
    }

    /** The current test's counts, ratio and bound, for a decision that a volume finding was corroborated. */
    @Override
    public Map<String, Object> evidence(final long hi, final long lo, final long nowNanos)
    {
        refresh();
        final int row = hosts.find(hi, lo);
        final Map<String, Object> out = new LinkedHashMap<>();
        if (row < 0 || !isLive(row, nowNanos))
        {
            return out;
        }
        final int base = row * ROW_INTS;
        out.put("rule", rules.id());
        out.put("good", counts[base + GOOD]);
        for (final int k : KIND_ORDER)
        {
            if (counts[base + BAD + k] > 0)
            {
                out.put(KIND_KEYS[k], counts[base + BAD + k]);
            }
        }
        out.put("encrypted", counts[base + ENCRYPTED]);
        out.put("llr", Math.round(llr(base) * 100) / 100.0);
        out.put("corroboration_bound", Math.round(corroborationBound * 100) / 100.0);
        return out;
    }

    @Override
    public String missing(final long hi, final long lo, final long nowNanos)
    {
        refresh();
        final int row = hosts.find(hi, lo);
        if (row < 0 || !isLive(row, nowNanos))
        {
            return "no readable SMTP dialogue of this host in the last " + Math.max(1, idleNanos / 60_000_000_000L)
                + " min shows badness (sequential test " + rules.id() + " has no observations)";
        }
        final int base = row * ROW_INTS;
        return String.format(Locale.ROOT, "the host's dialogues do not show badness: sequential test %s at %.1f,"
            + " corroboration needs %.1f (%d accepted, %d bad%s)", rules.id(), llr(base), corroborationBound,
            counts[base + GOOD], badCount(base), counts[base + ENCRYPTED] > 0
                ? ", " + counts[base + ENCRYPTED] + " encrypted and unseen" : "");
    }

    /** {@link #corroborates} for the test of an IPv6 prefix (the aggregate of its addresses' observations). */
    public boolean corroboratesPrefix(final long prefixHi, final int bits, final long nowNanos)
    {
        return prefixTests != null && prefixTests.corroborates(prefixHi, bits, nowNanos);
    }

    /** The current test of an IPv6 prefix, for explain. */
    public SprtSnapshot snapshot(final HostKey prefix, final long nowNanos)
    {
        return prefix.isPrefix() ? prefixTests.snapshot(prefix.hi(), prefix.bits(), nowNanos)
            : snapshot(prefix.hi(), prefix.lo(), nowNanos);
    }

    /** The host's current test; allocates, so for operator commands and tests, not the packet path. */
    public SprtSnapshot snapshot(final long hi, final long lo, final long nowNanos)
    {
        refresh();
        final int row = hosts.find(hi, lo);
        if (row < 0 || !isLive(row, nowNanos))
        {
            return new SprtSnapshot(false, 0, upper, lower, 0, 0, 0, 0, 0, 0, 0, false, 0, corroborationBound);
        }
        final int base = row * ROW_INTS;
        return new SprtSnapshot(true, llr(base), upper, lower, counts[base + GOOD],
            counts[base + BAD + BAD_CONNECT_FAILED], counts[base + BAD + BAD_REJECTED],
            counts[base + BAD + BAD_NO_DATA], counts[base + BAD + BAD_HELO], counts[base + BAD + BAD_BLOCKLIST],
            counts[base + ENCRYPTED], counts[base + DECIDED] != 0, counts[base + BAD + BAD_UNKNOWN_USERS],
            corroborationBound);
    }

    /** Hosts with a row (a test running, or a decided test held). */
    public long trackedHosts()
    {
        return hosts.size();
    }

    /** Hosts forgotten because the table was full: their running tests were lost. */
    public long evictions()
    {
        return evictions;
    }

    /** Hosts removed by the sweep after {@link SprtRules#idleReset()} without observations (a normal reset). */
    public long idleExpiries()
    {
        return idleExpiries;
    }

    /** Tests that crossed the spambot bound and made a decision (block, or alert where the class only alerts). */
    public long decisions()
    {
        return decisions;
    }

    /** Tests that fell to the clean bound and restarted. */
    public long cleanVerdicts()
    {
        return cleanVerdicts;
    }

    /** Encrypted sessions reported, judged neither way. */
    public long encryptedSessions()
    {
        return encryptedSessions;
    }

    /** Incremental idle sweep: a share of the table in proportion to the capture time since the last tick. */
    public void onTick(final long nowNanos)
    {
        refresh();
        final int budget = pacer.budget(nowNanos, hosts.highWater());
        int row = sweepCursor;
        for (int n = 0; n < budget; n++)
        {
            if (row >= hosts.highWater())
            {
                row = 0;
            }
            if (hosts.isOccupied(row) && !isLive(row, nowNanos) && nowNanos - hosts.lastSeen(row) > idleNanos)
            {
                hosts.remove(row);
                idleExpiries++;
            }
            row++;
        }
        sweepCursor = row;
        if (prefixTests != null)
        {
            prefixTests.onTick(nowNanos);
        }
    }

    private void observe(final long hi, final long lo, final HostClass hostClass, final int slot, final long now)
    {
        refresh();
        int row = hosts.find(hi, lo);
        if (row < 0)
        {
            row = insert(hi, lo, now);
        }
        else if (!isLive(row, now))
        {
            restart(row);
        }
        else if (counts[row * ROW_INTS + DECIDED] != 0)
        {
            touch(row, now);
            return;
        }
        touch(row, now);
        final int base = row * ROW_INTS;
        counts[base + slot]++;
        final double llr = llr(base);
        final int prefixBits = prefixTests == null || hostClass == null || !hostClass.judgesIpv6Prefixes()
            || Addresses.isIpv4(hi, lo) ? 0 : hostClass.ipv6Prefix();
        if (llr >= upper)
        {
            if (prefixBits != 0)
            {
                // the address is the evidence: what it showed leaves its prefix's test
                counts[base + slot]--;
                prefixTests.forget(hi & Cidr.maskHi(prefixBits), prefixBits, counts, base, now);
                counts[base + slot]++;
            }
            decide(row, hostClass, llr, now);
            return;
        }
        if (llr <= lower)
        {
            restart(row);
            cleanVerdicts++;
        }
        if (prefixBits != 0)
        {
            prefixTests.observe(hi & Cidr.maskHi(prefixBits), prefixBits, hostClass, slot, now);
        }
    }

    /** Takes a host's run of observations back out of this (prefix) test, never below zero. */
    private void forget(final long keyHi, final int bits, final int[] hostCounts, final int hostBase, final long now)
    {
        final int row = hosts.find(keyHi, bits);
        if (row < 0 || !isLive(row, now) || counts[row * ROW_INTS + DECIDED] != 0)
        {
            return;
        }
        final int base = row * ROW_INTS;
        for (int k = GOOD; k < DECIDED; k++)
        {
            counts[base + k] = Math.max(0, counts[base + k] - hostCounts[hostBase + k]);
        }
    }

    /**
     * Whether the row's test still stands at {@code now}: a decided test until its hold ends, a running one
     * until it has been idle for longer than the reset.
     */
    private boolean isLive(final int row, final long now)
    {
        if (counts[row * ROW_INTS + DECIDED] != 0)
        {
            return holdUntilNanos[row] - now > 0;
        }
        return now - hosts.lastSeen(row) <= idleNanos;
    }

    private void touch(final int row, final long now)
    {
        if (now - hosts.lastSeen(row) > 0)
        {
            hosts.lastSeen(row, now);
        }
    }

    private int insert(final long hi, final long lo, final long now)
    {
        if (hosts.isFull())
        {
            hosts.remove(hosts.sampleVictim(random));
            evictions++;
        }
        final int row = hosts.insert(hi, lo, now);
        if (hosts.capacity() != rowCapacity)
        {
            rowCapacity = hosts.capacity();
            counts = Arrays.copyOf(counts, rowCapacity * ROW_INTS);
            holdUntilNanos = Arrays.copyOf(holdUntilNanos, rowCapacity);
        }
        restart(row);
        return row;
    }

    private void restart(final int row)
    {
        final int base = row * ROW_INTS;
        Arrays.fill(counts, base, base + ROW_INTS, 0);
        holdUntilNanos[row] = 0;
    }

    private int badCount(final int base)
    {
        int bad = 0;
        for (int k = 0; k < KINDS; k++)
        {
            bad += counts[base + BAD + k];
        }
        return bad;
    }

    /**
     * From the counts, so a reload with new likelihoods re-weighs the running tests instead of mixing scales.
     * Each kind adds its own step; connect failures add none (their step is 0).
     */
    private double llr(final int base)
    {
        double llr = counts[base + GOOD] * goodStep;
        for (int k = 0; k < KINDS; k++)
        {
            llr += counts[base + BAD + k] * steps[k];
        }
        return llr;
    }

    private void decide(final int row, final HostClass hostClass, final double llr, final long now)
    {
        final int base = row * ROW_INTS;
        final HostKey key = prefixTests != null ? new HostKey(hosts.hi(row), hosts.lo(row))
            : new HostKey(hosts.hi(row), 0, (int)hosts.lo(row));
        // HELO alone never blocks; connect failures carry no step, so with HELO they are "HELO alone" too.
        final boolean heloOnly = counts[base + BAD + BAD_HELO] + counts[base + BAD + BAD_CONNECT_FAILED]
            == badCount(base);
        String reason = reason(base, key, llr, heloOnly);
        final String carvedOut = key.isPrefix() ? PrefixAggregate.carvedOut(policy.get(), hostClass, key) : null;
        if (carvedOut != null && !heloOnly)
        {
            reason += " (alert only: " + carvedOut + " lies inside the prefix and a prefix block would reach it)";
        }
        final Map<String, Object> evidence = evidence(base, llr);
        if (key.isPrefix())
        {
            evidence.put("prefix_length", key.bits());
        }
        final Decision decision = verdicts.decide(key, hostClass, PortGroup.RELAY, rules.id(),
            heloOnly || carvedOut != null ? Action.ALERT : Action.BLOCK, reason, evidence, now);
        counts[base + DECIDED] = 1;
        final long blockedUntil = verdicts.blockedUntilNanos(key, now);
        holdUntilNanos[row] = blockedUntil != 0 ? blockedUntil : now + Verdicts.ALERT_QUIET_NANOS;
        if (decision != null)
        {
            decisions++;
        }
    }

    /**
     * E.g. "10.0.0.7 failed the sequential spambot test: 12 of its last 14 SMTP attempts were bad (blocklist
     * reply 7, rejected by the server 4, connect failed 1) and 2 accepted; log-likelihood ratio 13.9 reached
     * the spambot bound 13.8 (alpha 0.000001, beta 0.01, theta0 0.2, theta1 0.9, rule sprt)".
     */
    private String reason(final int base, final HostKey key, final double llr, final boolean heloOnly)
    {
        final int bad = badCount(base);
        final StringBuilder sb = new StringBuilder(256)
            .append(key.text())
            .append(" failed the sequential spambot test: ")
            .append(bad).append(" of its").append(key.isPrefix() ? " addresses' " : " ").append("last ")
            .append(bad + counts[base + GOOD])
            .append(" SMTP attempts were bad (");
        String separator = "";
        for (final int k : KIND_ORDER)
        {
            final int n = counts[base + BAD + k];
            if (n > 0)
            {
                sb.append(separator).append(KIND_WORDS[k]).append(' ').append(n);
                separator = ", ";
            }
        }
        sb.append(") and ").append(counts[base + GOOD]).append(" accepted; log-likelihood ratio ")
            .append(String.format(Locale.ROOT, "%.1f", llr))
            .append(" reached the spambot bound ").append(String.format(Locale.ROOT, "%.1f", upper))
            .append(" (alpha ").append(plain(rules.alpha())).append(", beta ").append(plain(rules.beta()))
            .append(", theta0 ").append(plain(rules.theta0())).append(", theta1 ").append(plain(rules.theta1()))
            .append(", rule ").append(rules.id()).append(')');
        if (heloOnly)
        {
            sb.append("; only HELO oddities, which alone never block");
        }
        return sb.toString();
    }

    private Map<String, Object> evidence(final int base, final double llr)
    {
        final Map<String, Object> evidence = new LinkedHashMap<>();
        final int bad = badCount(base);
        evidence.put("observations", bad + counts[base + GOOD]);
        evidence.put("good", counts[base + GOOD]);
        evidence.put("bad", bad);
        for (int k = 0; k < KINDS; k++)
        {
            evidence.put(KIND_KEYS[k], counts[base + BAD + k]);
        }
        evidence.put("encrypted", counts[base + ENCRYPTED]);
        evidence.put("llr", Math.round(llr * 100) / 100.0);
        evidence.put("upper_bound", Math.round(upper * 100) / 100.0);
        evidence.put("lower_bound", Math.round(lower * 100) / 100.0);
        evidence.put("alpha", rules.alpha());
        evidence.put("beta", rules.beta());
        evidence.put("theta0", rules.theta0());
        evidence.put("theta1", rules.theta1());
        return evidence;
    }

    private static String plain(final double value)
    {
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }

    /** Recomputes the steps and bounds when the policy's parameters changed (a reload); cheap otherwise. */
    private void refresh()
    {
        final SprtRules current = policy.get().sprt();
        if (current == rules)
        {
            return;
        }
        rules = current;
        for (int k = 0; k < KINDS; k++)
        {
            steps[k] = KIND_RULES[k] == null ? 0 : current.step(KIND_RULES[k]);
        }
        corroborationBound = current.corroborationBound();
        goodStep = Math.log((1 - current.theta1()) / (1 - current.theta0()));
        upper = current.upperBound();
        lower = current.lowerBound();
        idleNanos = current.idleReset().toNanos();
    }
}
