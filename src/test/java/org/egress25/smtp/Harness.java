package org.egress25.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.policy.Policy;

/** Test-only: an analyser with the test policy, collecting its sessions (also as a log), their
 * outcomes and the decisions. */
final class Harness
{
    final Policy policy;
    final List<SessionRecord> records = new ArrayList<>();
    final List<Decision> decisions = new ArrayList<>();
    /** Every finished session's {@link SessionOutcome}, in order. */
    final List<Integer> outcomes = new ArrayList<>();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final SessionLogWriter writer = new SessionLogWriter(log, false);
    final SmtpAnalyser analyser;
    final Wire wire;

    Harness()
    {
        this(SmtpLimits.defaults());
    }

    Harness(final SmtpLimits limits)
    {
        this(TestCapture.policy(), limits);
    }

    Harness(final Policy policy, final SmtpLimits limits)
    {
        this(policy, limits, true);
    }

    /** With {@code logged} false there is no session log, as in a replay without --sessions: no records are built. */
    Harness(final Policy policy, final SmtpLimits limits, final boolean logged)
    {
        this.policy = policy;
        analyser = new SmtpAnalyser(() -> policy, new Verdicts(decisions::add, policy.ladder()),
            (hi, lo, outcome, now) -> outcomes.add(outcome), logged ? s ->
            {
                records.add(s);
                writer.accept(s);
            } : null, limits);
        wire = new Wire(analyser, policy);
    }

    String logText() throws IOException
    {
        writer.flush();
        return log.toString(StandardCharsets.UTF_8);
    }
}
