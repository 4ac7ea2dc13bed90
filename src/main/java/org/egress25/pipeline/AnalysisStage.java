package org.egress25.pipeline;

import java.util.List;
import java.util.function.Supplier;
import org.egress25.analysis.Analyser;
import org.egress25.analysis.RateAnalyser;
import org.egress25.analysis.SequentialVerdict;
import org.egress25.decision.Verdicts;
import org.egress25.event.PacketEvent;
import org.egress25.policy.Policy;
import org.egress25.smtp.SessionOutcome;
import org.egress25.smtp.SessionSink;
import org.egress25.smtp.SmtpAnalyser;
import org.egress25.smtp.SmtpLimits;

/**
 * The analysers one policy is judged by, wired together: volume findings (rate thresholds, recipient fan-out)
 * corroborated by the sequential test's badness evidence before they may block,
 * connect failures and finished SMTP sessions as its observations. {@code run}, {@code replay} (and its
 * {@code --compare-rules} policy) and the analysis benchmark all build it here, so what is measured is what a
 * gateway runs.
 *
 * @param all in the order the analysis thread calls them for each segment
 */
public record AnalysisStage(RateAnalyser rate, SmtpAnalyser smtp, SequentialVerdict sequential, List<Analyser> all)
{
    /**
     * @param log      the session log, or null for none
     * @param dialogue false for {@code --no-dialogue}: the SMTP analyser exists (its metrics read zero) but never
     *                 sees a segment
     */
    public static AnalysisStage build(final Supplier<Policy> policy, final Verdicts verdicts, final SessionSink log,
        final int maxHosts, final int maxConnections, final boolean dialogue)
    {
        final RateAnalyser rate = new RateAnalyser(policy, verdicts, maxHosts, maxConnections);
        final SequentialVerdict sequential = new SequentialVerdict(policy, verdicts, maxHosts);
        rate.setCorroboration(sequential);
        rate.setPrefixCorroboration(sequential::corroboratesPrefix);
        rate.setConnectFailureListener((hi, lo, now) ->
            sequential.observeBad(hi, lo, policy.get().classify(hi, lo), SequentialVerdict.BAD_CONNECT_FAILED, now));
        final SmtpAnalyser smtp = new SmtpAnalyser(policy, verdicts, observing(sequential, policy), log,
            SmtpLimits.defaults());
        smtp.setCorroboration(sequential);
        final Analyser sequentialClock = new Analyser()
        {
            @Override
            public void onSegment(final PacketEvent event)
            {
                // observations arrive from the rate and SMTP analysers, not from segments
            }

            @Override
            public void onTick(final long nowNanos)
            {
                sequential.onTick(nowNanos);
            }
        };
        return new AnalysisStage(rate, smtp, sequential,
            dialogue ? List.of(rate, smtp, sequentialClock) : List.of(rate, sequentialClock));
    }

    /** Every finished session is one observation of the sequential test. Runs on the analysis thread. */
    private static SessionOutcome.Listener observing(final SequentialVerdict sequential, final Supplier<Policy> policy)
    {
        return (hi, lo, outcome, now) ->
        {
            if (outcome == SessionOutcome.ENCRYPTED)
            {
                sequential.observeEncrypted(hi, lo, now);
            }
            else if (outcome == SessionOutcome.GOOD)
            {
                sequential.observeGood(hi, lo, policy.get().classify(hi, lo), now);
            }
            else if (outcome != SessionOutcome.NONE && outcome != SessionOutcome.DEFERRED)
            {
                sequential.observeBad(hi, lo, policy.get().classify(hi, lo), badKind(outcome), now);
            }
        };
    }

    private static int badKind(final int outcome)
    {
        switch (outcome)
        {
            case SessionOutcome.BAD_BLOCKLIST:
                return SequentialVerdict.BAD_BLOCKLIST;
            case SessionOutcome.BAD_HELO:
                return SequentialVerdict.BAD_HELO;
            case SessionOutcome.BAD_REJECTED:
                return SequentialVerdict.BAD_REJECTED;
            case SessionOutcome.BAD_UNKNOWN_USERS:
                return SequentialVerdict.BAD_UNKNOWN_USERS;
            default:
                return SequentialVerdict.BAD_NO_DATA;
        }
    }
}
