package org.egress25.smtp;

import java.util.Map;
import org.egress25.host.Action;
import org.egress25.policy.SmtpRules;

/**
 * One pattern rule judged when a session ends, against the client's {@link HostState} windows.
 *
 * <p>Each rule is its own small class behind these abstract calls, and not only for tidiness:
 * {@link SmtpPatterns} calls every detector from the same call sites, which the JIT sees as megamorphic and
 * does not inline. So each judgement compiles on its own, small, and the text and evidence of a finding
 * (string building that runs once per alert) stays out of the compiled session-end path; written as one
 * method, session end is too big to compile cheaply (benchmarks/NOTES.md, "SMTP pattern detectors as small
 * classes").
 */
abstract class SessionDetector
{
    /** This detector's rule in the current rules. */
    abstract SmtpRules.Rule ruleIn(SmtpRules rules);

    /** The rule id decisions carry. */
    final String rule(final SmtpRules rules)
    {
        return ruleIn(rules).id();
    }

    /** What a due finding asks for: the rule's action unless the detector overrides it. */
    Action action(final SmtpRules rules)
    {
        return ruleIn(rules).action();
    }

    /**
     * True for a volume rule (how much a host sends, not how badly it goes): its block needs corroboration by
     * independent badness evidence (rules/README.md, "Evidence model: what may block"); without it the finding
     * only alerts.
     */
    boolean volume()
    {
        return false;
    }

    /**
     * Counts the session into the host's windows and says whether the host is now over the rule's
     * threshold. Runs for every judged session: no allocation.
     */
    abstract boolean observe(SessionFacts facts);

    /** The decision's reason; called only when a finding is due, after {@link #observe} said yes. */
    abstract String reason(SessionFacts facts);

    /** The decision's evidence, in the order it is written; called with {@link #reason}. */
    abstract Map<String, Object> evidence(SessionFacts facts);

    static String percent(final double share)
    {
        return Math.round(share * 100) + "%";
    }

    /**
     * Whether {@code hits} make up at least {@code share} of {@code sessions} over the window, once at least
     * {@code minSessions} sessions were seen: the test of the share rules (rejections, aborted sessions).
     */
    static boolean shareReached(final WindowCount hits, final WindowCount sessions, final long now, final long window,
        final double share, final int minSessions)
    {
        final long total = sessions.sum(now, window);
        return total >= minSessions && hits.sum(now, window) >= share * total;
    }

    /** The threshold of a share rule as its reason states it. */
    static String shareThreshold(final double share, final int minSessions)
    {
        return "(threshold " + percent(share) + " of at least " + minSessions + ")";
    }
}
