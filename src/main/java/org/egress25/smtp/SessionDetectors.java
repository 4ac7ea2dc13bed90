package org.egress25.smtp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egress25.host.Action;
import org.egress25.host.Addresses;
import org.egress25.policy.Durations;
import org.egress25.policy.PortGroup;
import org.egress25.policy.SmtpRules;

/**
 * The session-end detectors, most specific first: when one blocks, the decision names the most telling rule,
 * and the ones after it are suppressed while the block lasts. Thresholds are read from the rules passed in,
 * so a reload applies to the next session.
 */
final class SessionDetectors
{
    private SessionDetectors()
    {
    }

    /** A new set, in judging order (each detector is stateless; the state is in {@link HostState}). */
    static SessionDetector[] all()
    {
        return new SessionDetector[] {
            new Harvest(), new AuthFailures(), new RejectionShare(), new FanOut(), new Aborted(), new HeloQuality()};
    }

    /** One session with many RCPT, mostly refused as unknown (550/551/553), and no message accepted. */
    static final class Harvest extends SessionDetector
    {
        @Override
        SmtpRules.Rule ruleIn(final SmtpRules rules)
        {
            return rules.harvest();
        }

        @Override
        boolean observe(final SessionFacts f)
        {
            final SmtpRules.Harvest rule = f.rules.harvest();
            final Session s = f.session;
            return s.recipients() >= rule.minRecipients() && s.recipientsUnknown() >= rule.rejectShare() * s.recipients()
                && s.dataAccepted() == 0;
        }

        @Override
        String reason(final SessionFacts f)
        {
            final SmtpRules.Harvest rule = f.rules.harvest();
            final Session s = f.session;
            return "one session to " + Addresses.format(s.serverHi(), s.serverLo()) + " tried " + s.recipients()
                + " recipients, " + s.recipientsUnknown() + " refused as unknown, and sent no message (directory harvest: at least "
                + rule.minRecipients() + " recipients, " + percent(rule.rejectShare()) + " unknown)";
        }

        @Override
        Map<String, Object> evidence(final SessionFacts f)
        {
            final Session s = f.session;
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("recipients", s.recipients());
            evidence.put("unknown", s.recipientsUnknown());
            evidence.put("server", Addresses.format(s.serverHi(), s.serverLo()));
            return evidence;
        }
    }

    /** AUTH failures on submission ports over the window: password guessing against someone's server. */
    static final class AuthFailures extends SessionDetector
    {
        @Override
        SmtpRules.Rule ruleIn(final SmtpRules rules)
        {
            return rules.auth();
        }

        @Override
        boolean observe(final SessionFacts f)
        {
            if (f.group != PortGroup.SUBMISSION || f.session.authFailures() == 0)
            {
                return false;
            }
            final SmtpRules.Auth rule = f.rules.auth();
            final long window = rule.window().toNanos();
            f.host.authFailures.add(f.now, window, f.session.authFailures());
            return f.host.authFailures.sum(f.now, window) > rule.maxFailures();
        }

        @Override
        String reason(final SessionFacts f)
        {
            final SmtpRules.Auth rule = f.rules.auth();
            return failures(f) + " AUTH failures on submission ports within " + Durations.text(rule.window())
                + " (limit " + rule.maxFailures() + "): password guessing against "
                + Addresses.format(f.session.serverHi(), f.session.serverLo());
        }

        @Override
        Map<String, Object> evidence(final SessionFacts f)
        {
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("auth_failures", failures(f));
            evidence.put("server", Addresses.format(f.session.serverHi(), f.session.serverLo()));
            evidence.put("server_port", f.session.serverPort());
            return evidence;
        }

        private static long failures(final SessionFacts f)
        {
            return f.host.authFailures.sum(f.now, f.rules.auth().window().toNanos());
        }
    }

    /** Sessions refused at banner, HELO, MAIL or RCPT (421/450/451/550/553/554), as a share of all sessions. */
    static final class RejectionShare extends SessionDetector
    {
        @Override
        SmtpRules.Rule ruleIn(final SmtpRules rules)
        {
            return rules.rejection();
        }

        @Override
        boolean observe(final SessionFacts f)
        {
            final SmtpRules.Rejection rule = f.rules.rejection();
            final HostState h = f.host;
            final long window = rule.window().toNanos();
            h.sessions.add(f.now, window, 1);
            h.rejected.add(f.now, window, f.session.earlyRejection() ? 1 : 0);
            return shareReached(h.rejected, h.sessions, f.now, window, rule.share(), rule.minSessions());
        }

        @Override
        String reason(final SessionFacts f)
        {
            final SmtpRules.Rejection rule = f.rules.rejection();
            final long window = rule.window().toNanos();
            return f.host.rejected.sum(f.now, window) + " of " + f.host.sessions.sum(f.now, window)
                + " SMTP sessions in " + Durations.text(rule.window())
                + " were refused at banner, HELO, MAIL or RCPT " + shareThreshold(rule.share(), rule.minSessions());
        }

        @Override
        Map<String, Object> evidence(final SessionFacts f)
        {
            final SmtpRules.Rejection rule = f.rules.rejection();
            final long window = rule.window().toNanos();
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("sessions", f.host.sessions.sum(f.now, window));
            evidence.put("rejected_sessions", f.host.rejected.sum(f.now, window));
            evidence.put("window_seconds", rule.window().toSeconds());
            evidence.put("reply_codes", f.host.replyCodes());
            return evidence;
        }
    }

    /**
     * RCPT commands, or distinct recipient domains, over the window: volume, which a busy legitimate server
     * has too, so it blocks only when corroborated ({@link SessionDetector#volume()}).
     */
    static final class FanOut extends SessionDetector
    {
        @Override
        boolean volume()
        {
            return true;
        }

        @Override
        SmtpRules.Rule ruleIn(final SmtpRules rules)
        {
            return rules.recipients();
        }

        @Override
        boolean observe(final SessionFacts f)
        {
            final SmtpRules.Recipients rule = f.rules.recipients();
            final HostState h = f.host;
            final long window = rule.window().toNanos();
            h.recipientsWindow.add(f.now, window, f.session.recipients());
            for (int i = 0; i < f.domainCount; i++)
            {
                h.domains.touch(f.domains[i], f.now);
            }
            return h.recipientsWindow.sum(f.now, window) > rule.maxRecipients()
                || h.recentDomains(f.now, window) > rule.maxDomains();
        }

        @Override
        String reason(final SessionFacts f)
        {
            final SmtpRules.Recipients rule = f.rules.recipients();
            final long window = rule.window().toNanos();
            return f.host.recipientsWindow.sum(f.now, window) + " recipients in " + f.host.recentDomains(f.now, window)
                + " domains within " + Durations.text(rule.window()) + " (limits " + rule.maxRecipients()
                + " recipients, " + rule.maxDomains() + " domains)";
        }

        @Override
        Map<String, Object> evidence(final SessionFacts f)
        {
            final SmtpRules.Recipients rule = f.rules.recipients();
            final long window = rule.window().toNanos();
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("recipients", f.host.recipientsWindow.sum(f.now, window));
            evidence.put("recipient_domains", f.host.recentDomains(f.now, window));
            evidence.put("window_seconds", rule.window().toSeconds());
            return evidence;
        }
    }

    /**
     * Share of readable sessions with no message accepted (HELO then QUIT among them); sessions under TLS are
     * not judged, their outcome is unknown.
     */
    static final class Aborted extends SessionDetector
    {
        @Override
        SmtpRules.Rule ruleIn(final SmtpRules rules)
        {
            return rules.aborted();
        }

        @Override
        boolean observe(final SessionFacts f)
        {
            final Session s = f.session;
            if (s.tls() != TlsState.NONE)
            {
                return false;
            }
            final SmtpRules.Aborted rule = f.rules.aborted();
            final HostState h = f.host;
            final long window = rule.window().toNanos();
            // Without the server's side the outcome is unknown: judge by whether a message was even attempted.
            final boolean aborted = s.serverSeen() ? s.dataAccepted() == 0 : s.dataAttempts() == 0;
            h.readable.add(f.now, window, 1);
            h.aborted.add(f.now, window, aborted ? 1 : 0);
            return shareReached(h.aborted, h.readable, f.now, window, rule.share(), rule.minSessions());
        }

        @Override
        String reason(final SessionFacts f)
        {
            final SmtpRules.Aborted rule = f.rules.aborted();
            final long window = rule.window().toNanos();
            return f.host.aborted.sum(f.now, window) + " of " + f.host.readable.sum(f.now, window)
                + " readable SMTP sessions in " + Durations.text(rule.window()) + " delivered no message "
                + shareThreshold(rule.share(), rule.minSessions());
        }

        @Override
        Map<String, Object> evidence(final SessionFacts f)
        {
            final long window = f.rules.aborted().window().toNanos();
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("sessions", f.host.readable.sum(f.now, window));
            evidence.put("aborted_sessions", f.host.aborted.sum(f.now, window));
            return evidence;
        }
    }

    /**
     * {@link HeloCheck} findings, or more distinct names per window than the rule allows, on port 25 only.
     * Always an alert, whatever the rule file says: a HELO costs nothing to fake and honest servers get it
     * wrong, so it never blocks on its own.
     */
    static final class HeloQuality extends SessionDetector
    {
        @Override
        SmtpRules.Rule ruleIn(final SmtpRules rules)
        {
            return rules.helo();
        }

        @Override
        Action action(final SmtpRules rules)
        {
            return Action.ALERT;
        }

        @Override
        boolean observe(final SessionFacts f)
        {
            // Relay only: on submission ports the client is a mail program, whose EHLO is the PC's name
            // (DESKTOP-4F2K9, [192.168.1.20] behind NAT) by design, and RFC 6409 expects nothing better.
            if (!f.session.hasHelo() || f.group != PortGroup.RELAY)
            {
                return false;
            }
            final HeloMemo.Judgement helo = f.helo();
            f.host.heloNames.touch(helo.lowerHash, f.now);
            return !helo.problems.isEmpty() || distinct(f) > f.rules.helo().maxDistinctNames();
        }

        @Override
        String reason(final SessionFacts f)
        {
            final SmtpRules.Helo rule = f.rules.helo();
            return "HELO '" + f.helo().helo + "' is " + String.join(", ", problems(f)) + " (" + distinct(f)
                + " distinct names in " + Durations.text(rule.window()) + ", limit " + rule.maxDistinctNames() + ")";
        }

        @Override
        Map<String, Object> evidence(final SessionFacts f)
        {
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("helo", f.helo().helo);
            evidence.put("problems", problems(f));
            evidence.put("distinct_names", distinct(f));
            evidence.put("samples", List.copyOf(f.host.heloSamples));
            return evidence;
        }

        private static int distinct(final SessionFacts f)
        {
            return f.host.heloNames.countRecent(f.now, f.rules.helo().window().toNanos());
        }

        private static List<String> problems(final SessionFacts f)
        {
            final List<String> problems = new ArrayList<>(f.helo().problems);
            if (distinct(f) > f.rules.helo().maxDistinctNames())
            {
                problems.add("distinct-names");
            }
            return problems;
        }
    }
}
