package org.egress25.analysis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.policy.BlockLadder;
import org.egress25.host.Cidr;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.Port25Mode;
import org.egress25.policy.SprtRules;

/**
 * A sequential verdict wired to a real {@link Verdicts} whose decisions land in a list, inside 10.0.0.0/8 in one
 * detect-then-block class. Hosts are numbered: host n is 10.x.y.z with n in the low 24 bits.
 */
final class SprtBench
{
    static final long T0 = 1_700_002_800L * 1_000_000_000L;
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    static final long HOUR = TimeUnit.HOURS.toNanos(1);

    /** SPOT's parameters (Duan et al., INFOCOM 2009), the calibration's starting point. */
    static final SprtRules SPOT = new SprtRules("sprt", 0.01, 0.01, 0.2, 0.9, Duration.ofHours(1));
    /** What this branch proposes as defaults (see SequentialVerdict's javadoc and rules/README.md). */
    static final SprtRules CHOSEN = new SprtRules("sprt", 1e-6, 0.01, 0.2, 0.9, Duration.ofHours(1));

    final List<Decision> decisions = new ArrayList<>();
    final HostClass hostClass;
    final Verdicts verdicts;
    Policy policy;
    final SequentialVerdict sprt;

    SprtBench(final SprtRules rules, final Port25Mode mode, final int maxHosts)
    {
        hostClass = new HostClass("residential", mode, List.of(Cidr.parse("10.0.0.0/8")), List.of());
        final BlockLadder ladder = new BlockLadder(
            List.of(Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(24)), Duration.ofDays(30));
        policy = Policy.builder().classes(List.of(hostClass)).ladder(ladder).sprt(rules).build();
        verdicts = new Verdicts(decisions::add, ladder);
        sprt = new SequentialVerdict(() -> policy, verdicts, maxHosts);
    }

    SprtBench(final SprtRules rules)
    {
        this(rules, Port25Mode.DETECT_THEN_BLOCK, 1 << 20);
    }

    /** The high half of every host's address: IPv4 is held IPv4-mapped, as {@code Addresses} does. */
    static final long HI = 0;

    static long lo(final int host)
    {
        return 0x0000_FFFF_0A00_0000L | (host & 0xFF_FFFFL);
    }

    void bad(final int host, final int kind, final long nowNanos)
    {
        sprt.observeBad(HI, lo(host), hostClass, kind, nowNanos);
    }

    void good(final int host, final long nowNanos)
    {
        sprt.observeGood(HI, lo(host), hostClass, nowNanos);
    }

    SprtSnapshot snapshot(final int host, final long nowNanos)
    {
        return sprt.snapshot(HI, lo(host), nowNanos);
    }

    boolean corroborates(final int host, final long nowNanos)
    {
        return sprt.corroborates(HI, lo(host), nowNanos);
    }

    static double badStep(final SprtRules rules)
    {
        return Math.log(rules.theta1() / rules.theta0());
    }

    static double goodStep(final SprtRules rules)
    {
        return Math.log((1 - rules.theta1()) / (1 - rules.theta0()));
    }
}
