package org.egress25.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.egress25.decision.Decision;
import org.egress25.decision.Verdicts;
import org.egress25.policy.Policy;

/** Test-only: an analyser with the test policy, collecting its sessions (also as a log) and decisions. */
final class Harness
{
    final Policy policy;
    final List<SessionRecord> records = new ArrayList<>();
    final List<Decision> decisions = new ArrayList<>();
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
        this.policy = policy;
        analyser = new SmtpAnalyser(() -> policy, new Verdicts(decisions::add, policy.ladder()), s ->
        {
            records.add(s);
            writer.accept(s);
        }, limits);
        wire = new Wire(analyser, policy);
    }

    String logText() throws IOException
    {
        writer.flush();
        return log.toString(StandardCharsets.UTF_8);
    }
}
