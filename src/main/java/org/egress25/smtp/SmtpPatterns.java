package org.egress25.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.egress25.decision.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.HostKey;
import org.egress25.decision.Verdicts;
import org.egress25.policy.Addresses;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.PortGroup;
import org.egress25.policy.SmtpRules;

/**
 * The SMTP pattern analysers, per inside host, fed by finished sessions and (for blocklist replies) by
 * reply lines as they arrive. Thresholds come from {@code policy.smtp()} on every call, so a reload applies
 * to the next session.
 *
 * <ul>
 *   <li><b>Blocklist reply</b> fires on the reply line itself, before the session ends: a 4xx/5xx text
 *       naming one of the rule's zones. It asks for the rule's action when the reply is about the client
 *       itself (it names the host's address, forwards or reversed as in a DNSBL query name, or it refuses
 *       the greeting or HELO, which only the client's address can have earned); a blocklist reply later in
 *       the dialogue may be about a domain in the message (Spamhaus DBL), so it only alerts.</li>
 *   <li><b>Rejection share</b>: sessions refused at banner, HELO, MAIL or RCPT with 421/450/451/550/553/554,
 *       over all sessions in the window, judged once {@code minSessions} were seen.</li>
 *   <li><b>HELO quality</b>: {@link HeloCheck} findings, plus more than {@code maxDistinctNames} names per
 *       window, on port 25 only. Always an alert, whatever the rule file says.</li>
 *   <li><b>Recipient fan-out</b>: RCPT commands, or distinct recipient domains, over the window.</li>
 *   <li><b>Directory harvest</b>: one session with at least {@code minRecipients} RCPT, at least
 *       {@code rejectShare} of them refused as unknown (550/551/553), and no message accepted.</li>
 *   <li><b>AUTH brute force</b>: AUTH failures on submission ports over the window.</li>
 *   <li><b>Aborted sessions</b>: share of readable sessions with no message accepted (HELO then QUIT
 *       among them); sessions under TLS are not judged, their outcome is unknown.</li>
 * </ul>
 *
 * <p>State: one {@link HostState} per host that had a session, in an access-ordered map capped at
 * {@link SmtpLimits#maxPatternHosts()} (least recently active forgotten first) and swept of hosts idle for
 * {@link SmtpLimits#patternIdle()}. It is allocated at session end or when a detector fires, never per packet.
 */
final class SmtpPatterns implements Session.Listener
{
    private static final int MAX_HELO_SAMPLES = 5;
    private static final int MAX_DOMAINS = 4096;
    private static final int MAX_REPLY_TEXT = 300;
    private static final int MAX_CODES = 32;

    private final Supplier<Policy> policy;
    private final Verdicts verdicts;
    private final SmtpLimits limits;
    private final SmtpCounters counters;
    private final LinkedHashMap<HostKey, HostState> hosts;
    private final SessionOutcome.Listener outcomes;
    private final HeloMemo helos = new HeloMemo();
    /** Distinct recipient-domain hashes of the session being judged. */
    private final long[] domainScratch;
    private SmtpRules.Blocklist zonesFor;
    private byte[][] zones = new byte[0][];
    private boolean[] zoneStarts = new boolean[256];
    private long nextSweepNanos = Long.MIN_VALUE;

    SmtpPatterns(final Supplier<Policy> policy, final Verdicts verdicts, final SessionOutcome.Listener outcomes,
        final SmtpLimits limits, final SmtpCounters counters)
    {
        this.outcomes = outcomes;
        this.domainScratch = new long[limits.maxRecipients()];
        this.policy = policy;
        this.verdicts = verdicts;
        this.limits = limits;
        this.counters = counters;
        this.hosts = new LinkedHashMap<>(256, 0.75f, true)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<HostKey, HostState> eldest)
            {
                final boolean full = size() > limits.maxPatternHosts();
                if (full)
                {
                    counters.caps[Cap.PATTERN_HOSTS.ordinal()]++;
                }
                return full;
            }
        };
    }

    // ------------------------------------------------------------------ blocklist, as replies arrive

    @Override
    public void onRejectLine(final Session s, final int code, final Verb verb, final byte[] line, final int length)
    {
        final Policy current = policy.get();
        final SmtpRules.Blocklist rule = current.smtp().blocklist();
        final int zone = findZone(zones(rule), zoneStarts, line, length);
        if (zone < 0)
        {
            return;
        }
        // A blocklist named: rare, so allocation is fine from here on. The session record keeps the first such
        // reply whatever the exemptions say; only the decision is subject to them.
        final String text = new String(line, 0, Math.min(length, MAX_REPLY_TEXT), StandardCharsets.UTF_8);
        if (s.blocklistReply == null)
        {
            s.blocklistReply = text;
        }
        if (exempt(current, s.clientHi, s.clientLo, s.serverHi, s.serverLo, s.lastNanos))
        {
            return;
        }
        final String host = Addresses.format(s.clientHi, s.clientLo);
        final boolean namesHost = namesAddress(text, host, s.clientHi, s.clientLo);
        final boolean aboutClient = namesHost || verb == Verb.GREETING || verb == Verb.EHLO || verb == Verb.HELO;
        final HostState state = state(s.clientHi, s.clientLo, s.lastNanos);
        state.blocklistReply = text;
        if (!due(state, rule.id(), s.clientHi, s.clientLo, s.lastNanos))
        {
            return;
        }
        final String server = Addresses.format(s.serverHi, s.serverLo);
        final Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("reply", text);
        evidence.put("zone", rule.zones().get(zone));
        evidence.put("names_host", namesHost);
        evidence.put("answering", verb.label());
        evidence.put("server", server);
        evidence.put("server_port", s.serverPort);
        final String reason = "remote server " + server + " refused with a blocklist reply ("
            + rule.zones().get(zone) + ")" + (namesHost ? " naming this host's address" : "")
            + (aboutClient ? "" : "; not clearly about the host, so alert only") + ": " + text;
        fire(state, s.clientHi, s.clientLo, s.hostClass, Policy.groupOf(s.serverPort), rule.id(),
            aboutClient ? rule.action() : Action.ALERT, reason, evidence, s.lastNanos);
    }

    private byte[][] zones(final SmtpRules.Blocklist rule)
    {
        if (rule != zonesFor)
        {
            final byte[][] lower = new byte[rule.zones().size()][];
            for (int i = 0; i < lower.length; i++)
            {
                lower[i] = rule.zones().get(i).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            }
            final boolean[] starts = new boolean[256];
            for (final byte[] zone : lower)
            {
                if (zone.length > 0)
                {
                    starts[zone[0] & 0xff] = true;
                }
            }
            zones = lower;
            zoneStarts = starts;
            zonesFor = rule;
        }
        return zones;
    }

    /**
     * Index of the first zone found in the line, case-insensitively; -1 when none. No allocation. A position
     * is only tried against the zones when its byte can start one ({@code starts}, indexed by the lower-case
     * byte), which skips most of a reply's text: this runs on every 4xx/5xx line a spambot receives.
     */
    static int findZone(final byte[][] zones, final boolean[] starts, final byte[] line, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final byte first = lower(line[i]);
            if (!starts[first & 0xff])
            {
                continue;
            }
            for (int z = 0; z < zones.length; z++)
            {
                final byte[] zone = zones[z];
                if (zone.length == 0 || zone[0] != first || i + zone.length > length)
                {
                    continue;
                }
                int k = 1;
                while (k < zone.length && lower(line[i + k]) == zone[k])
                {
                    k++;
                }
                if (k == zone.length)
                {
                    return z;
                }
            }
        }
        return -1;
    }

    private static byte lower(final byte b)
    {
        return b >= 'A' && b <= 'Z' ? (byte)(b + 32) : b;
    }

    /** The address as text, not inside a longer number ("10.0.0.1" is not in "10.0.0.12"), or DNSBL-reversed. */
    static boolean namesAddress(final String text, final String host, final long hi, final long lo)
    {
        final String lowerText = text.toLowerCase(Locale.ROOT);
        if (containsToken(lowerText, host))
        {
            return true;
        }
        if (Addresses.isIpv4(hi, lo))
        {
            final String reversed = (lo & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + ((lo >>> 16) & 0xff) + "."
                + ((lo >>> 24) & 0xff);
            return containsToken(lowerText, reversed);
        }
        return false;
    }

    private static boolean containsToken(final String text, final String token)
    {
        int from = 0;
        while (true)
        {
            final int at = text.indexOf(token, from);
            if (at < 0)
            {
                return false;
            }
            final int end = at + token.length();
            if ((at == 0 || !addressChar(text.charAt(at - 1))) && (end == text.length() || !addressChar(text.charAt(end))
                || text.charAt(end) == '.' && (end + 1 == text.length() || !Character.isDigit(text.charAt(end + 1)))))
            {
                return true;
            }
            from = at + 1;
        }
    }

    private static boolean addressChar(final char c)
    {
        return Character.isDigit(c) || c == '.' || c == ':' || (c >= 'a' && c <= 'f');
    }

    // ------------------------------------------------------------------ everything else, at session end

    /**
     * A finished session, read from its slot before the slot is reused. First its outcome goes to the
     * sequential test (every session, exempt or not: the test keeps its own exemptions), then the detectors
     * run. Sessions of exempt hosts (a customer's own MTA), to exempt servers (the ISP's smarthosts) and under
     * TLS from the first byte are never judged by the detectors. They run most specific first, so when one
     * blocks, the decision names the most telling rule (the ones after it are suppressed while the block
     * lasts).
     */
    void onSession(final Session s, final long nowNanos)
    {
        final Policy current = policy.get();
        final SmtpRules rules = current.smtp();
        // At the session's last segment, not the idle sweep that may have ended it later.
        outcomes.onOutcome(s.clientHi, s.clientLo, SessionOutcome.classify(s, rules, helos), s.lastNanos);
        final long hi = s.clientHi;
        final long lo = s.clientLo;
        // Implicit TLS (465) shows nothing of the dialogue: counted in the metrics, never judged either way.
        if (s.tls() == TlsState.IMPLICIT || exempt(current, hi, lo, s.serverHi, s.serverLo, nowNanos))
        {
            return;
        }
        final HostClass hostClass = s.hostClass;
        final HostState h = state(hi, lo, nowNanos);
        final PortGroup group = Policy.groupOf(s.serverPort);
        final int domains = s.recipientDomainHashes(domainScratch);
        h.summarise(s, domainScratch, domains, helos, rules.helo().providerDomains());

        harvest(rules.harvest(), h, s, hi, lo, hostClass, group, nowNanos);
        authFailures(rules.auth(), h, s, hi, lo, hostClass, group, nowNanos);
        rejectionShare(rules.rejection(), h, s, hi, lo, hostClass, group, nowNanos);
        fanOut(rules.recipients(), h, s, domains, hi, lo, hostClass, group, nowNanos);
        aborted(rules.aborted(), h, s, hi, lo, hostClass, group, nowNanos);
        heloQuality(rules.helo(), h, s, hi, lo, hostClass, group, nowNanos);
    }

    private static boolean exempt(final Policy policy, final long hi, final long lo, final long serverHi,
        final long serverLo, final long nowNanos)
    {
        return policy.exemptions().sourceExempt(hi, lo, nowNanos)
            || policy.exemptions().destinationExempt(serverHi, serverLo, nowNanos);
    }

    private void rejectionShare(final SmtpRules.Rejection rule, final HostState h, final Session r, final long hi,
        final long lo, final HostClass hostClass, final PortGroup group, final long now)
    {
        final long window = rule.window().toNanos();
        h.sessions.add(now, window, 1);
        h.rejected.add(now, window, r.earlyRejection() ? 1 : 0);
        final long sessions = h.sessions.sum(now, window);
        final long rejected = h.rejected.sum(now, window);
        if (sessions >= rule.minSessions() && rejected >= rule.share() * sessions && due(h, rule.id(), hi, lo, now))
        {
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("sessions", sessions);
            evidence.put("rejected_sessions", rejected);
            evidence.put("window_seconds", rule.window().toSeconds());
            evidence.put("reply_codes", h.replyCodes());
            fire(h, hi, lo, hostClass, group, rule.id(), rule.action(), rejected + " of " + sessions + " SMTP sessions in " + org.egress25.policy.Durations.text(rule.window())
                + " were refused at banner, HELO, MAIL or RCPT (threshold " + percent(rule.share()) + " of at least "
                + rule.minSessions() + ")", evidence, now);
        }
    }

    private void heloQuality(final SmtpRules.Helo rule, final HostState h, final Session r, final long hi,
        final long lo, final HostClass hostClass, final PortGroup group, final long now)
    {
        // Relay only: on submission ports the client is a mail program, whose EHLO is the PC's name
        // (DESKTOP-4F2K9, [192.168.1.20] behind NAT) by design, and RFC 6409 expects nothing better.
        if (!r.hasHelo() || group != PortGroup.RELAY)
        {
            return;
        }
        final long window = rule.window().toNanos();
        final HeloMemo.Judgement helo = helos.judge(r, rule.providerDomains());
        h.heloNames.put(helo.lowerHash, now);
        final int distinct = countRecent(h.heloNames, now, window, 256);
        final boolean tooMany = distinct > rule.maxDistinctNames();
        if ((helo.problems.isEmpty() && !tooMany) || !due(h, rule.id(), hi, lo, now))
        {
            return;
        }
        final List<String> problems = new ArrayList<>(helo.problems);
        if (tooMany)
        {
            problems.add("distinct-names");
        }
        final Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("helo", helo.helo);
        evidence.put("problems", problems);
        evidence.put("distinct_names", distinct);
        evidence.put("samples", List.copyOf(h.heloSamples));
        // Advisory by design: a HELO costs nothing to fake and honest servers get it wrong, so never a block.
        fire(h, hi, lo, hostClass, group, rule.id(), Action.ALERT,
            "HELO '" + helo.helo + "' is " + String.join(", ", problems) + " (" + distinct
                + " distinct names in " + org.egress25.policy.Durations.text(rule.window()) + ", limit " + rule.maxDistinctNames() + ")",
            evidence, now);
    }

    private void fanOut(final SmtpRules.Recipients rule, final HostState h, final Session r,
        final int sessionDomains, final long hi, final long lo, final HostClass hostClass,
        final PortGroup group, final long now)
    {
        final long window = rule.window().toNanos();
        h.recipientsWindow.add(now, window, r.recipients());
        for (int i = 0; i < sessionDomains; i++)
        {
            h.domains.put(domainScratch[i], now);
        }
        final long recipients = h.recipientsWindow.sum(now, window);
        final int domains = countRecent(h.domains, now, window, MAX_DOMAINS);
        if ((recipients > rule.maxRecipients() || domains > rule.maxDomains()) && due(h, rule.id(), hi, lo, now))
        {
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("recipients", recipients);
            evidence.put("recipient_domains", domains);
            evidence.put("window_seconds", rule.window().toSeconds());
            fire(h, hi, lo, hostClass, group, rule.id(), rule.action(), recipients + " recipients in " + domains + " domains within " + org.egress25.policy.Durations.text(rule.window()) + " (limits "
                + rule.maxRecipients() + " recipients, " + rule.maxDomains() + " domains)", evidence, now);
        }
    }

    private void harvest(final SmtpRules.Harvest rule, final HostState h, final Session r, final long hi,
        final long lo, final HostClass hostClass, final PortGroup group, final long now)
    {
        if (r.recipients() >= rule.minRecipients() && r.recipientsUnknown() >= rule.rejectShare() * r.recipients()
            && r.dataAccepted() == 0 && due(h, rule.id(), hi, lo, now))
        {
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("recipients", r.recipients());
            evidence.put("unknown", r.recipientsUnknown());
            final String server = Addresses.format(r.serverHi, r.serverLo);
            evidence.put("server", server);
            fire(h, hi, lo, hostClass, group, rule.id(), rule.action(), "one session to " + server + " tried " + r.recipients() + " recipients, "
                + r.recipientsUnknown() + " refused as unknown, and sent no message (directory harvest: at least "
                + rule.minRecipients() + " recipients, " + percent(rule.rejectShare()) + " unknown)",
                evidence, now);
        }
    }

    private void authFailures(final SmtpRules.Auth rule, final HostState h, final Session r, final long hi,
        final long lo, final HostClass hostClass, final PortGroup group, final long now)
    {
        if (group != PortGroup.SUBMISSION || r.authFailures() == 0)
        {
            return;
        }
        final long window = rule.window().toNanos();
        h.authFailures.add(now, window, r.authFailures());
        final long failures = h.authFailures.sum(now, window);
        if (failures > rule.maxFailures() && due(h, rule.id(), hi, lo, now))
        {
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("auth_failures", failures);
            final String server = Addresses.format(r.serverHi, r.serverLo);
            evidence.put("server", server);
            evidence.put("server_port", r.serverPort);
            fire(h, hi, lo, hostClass, group, rule.id(), rule.action(), failures + " AUTH failures on submission ports within " + org.egress25.policy.Durations.text(rule.window()) + " (limit "
                + rule.maxFailures() + "): password guessing against " + server, evidence, now);
        }
    }

    private void aborted(final SmtpRules.Aborted rule, final HostState h, final Session r, final long hi,
        final long lo, final HostClass hostClass, final PortGroup group, final long now)
    {
        if (r.tls() != TlsState.NONE)
        {
            return;
        }
        final long window = rule.window().toNanos();
        // Without the server's side the outcome is unknown: judge by whether a message was even attempted.
        final boolean abortedSession = r.server.seen ? r.dataAccepted() == 0 : r.dataAttempts() == 0;
        h.readable.add(now, window, 1);
        h.aborted.add(now, window, abortedSession ? 1 : 0);
        final long sessions = h.readable.sum(now, window);
        final long aborted = h.aborted.sum(now, window);
        if (sessions >= rule.minSessions() && aborted >= rule.share() * sessions && due(h, rule.id(), hi, lo, now))
        {
            final Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("sessions", sessions);
            evidence.put("aborted_sessions", aborted);
            fire(h, hi, lo, hostClass, group, rule.id(), rule.action(), aborted + " of " + sessions + " readable SMTP sessions in " + org.egress25.policy.Durations.text(rule.window())
                + " delivered no message (threshold " + percent(rule.share()) + " of at least " + rule.minSessions() + ")", evidence, now);
        }
    }

    /**
     * Whether a finding is worth a decision: not while the host is blocked (as learnt from Verdicts when a
     * rule last fired), and not when this rule already alerted about it within {@link Verdicts#ALERT_QUIET_NANOS}. Verdicts would drop
     * those anyway; asking first saves building the reason and evidence for every session of a spambot
     * that stays over a threshold (measured: most of the session-end cost on the mixed benchmark).
     */
    private boolean due(final HostState h, final String rule, final long hi, final long lo, final long now)
    {
        h.rules.add(rule);
        if (h.blockedKnown && now - h.blockedUntilNanos < 0)
        {
            return false;
        }
        final Long alerted = h.alertedAt.get(rule);
        return alerted == null || now - alerted - Verdicts.ALERT_QUIET_NANOS >= 0;
    }

    private void fire(final HostState h, final long hi, final long lo, final HostClass hostClass, final PortGroup group,
        final String rule, final Action action, final String reason, final Map<String, Object> evidence, final long now)
    {
        final Decision decision = verdicts.decide(hi, lo, hostClass, group, rule, action, reason, evidence, now);
        final long blockedUntil = verdicts.blockedUntilNanos(hi, lo, now);
        if (blockedUntil != 0)
        {
            // Blocked, by this decision or (when Verdicts dropped it) by another analyser: quiet until it ends.
            h.blockedKnown = true;
            h.blockedUntilNanos = blockedUntil;
        }
        else if (decision == null || decision.action() != Action.BLOCK)
        {
            h.alertedAt.put(rule, now);
        }
    }

    // ------------------------------------------------------------------ host state

    private HostState state(final long hi, final long lo, final long nowNanos)
    {
        final HostKey key = new HostKey(hi, lo);
        HostState h = hosts.get(key);
        if (h == null)
        {
            h = new HostState(key);
            hosts.put(key, h);
        }
        h.lastNanos = nowNanos;
        return h;
    }

    /** Forgets hosts idle past {@link SmtpLimits#patternIdle()}; runs at most once a minute of capture time. */
    void onTick(final long nowNanos)
    {
        if (nextSweepNanos != Long.MIN_VALUE && nowNanos - nextSweepNanos < 0)
        {
            return;
        }
        nextSweepNanos = nowNanos + 60_000_000_000L;
        final long idle = limits.patternIdle().toNanos();
        final Iterator<HostState> it = hosts.values().iterator();
        while (it.hasNext())
        {
            final HostState h = it.next();
            if (nowNanos - h.lastNanos - idle <= 0)
            {
                break;
            }
            it.remove();
        }
    }

    List<SmtpHostSummary> flaggedHosts()
    {
        final List<SmtpHostSummary> out = new ArrayList<>();
        for (final HostState h : hosts.values())
        {
            if (!h.rules.isEmpty())
            {
                out.add(h.summary());
            }
        }
        return out;
    }

    SmtpHostSummary summary(final long hi, final long lo)
    {
        final HostState h = hosts.get(new HostKey(hi, lo));
        return h == null ? null : h.summary();
    }

    int trackedHosts()
    {
        return hosts.size();
    }

    /**
     * Entries seen within the window. The map is access-ordered, so its eldest entries are the least recently
     * seen: dropping from the front until one is young enough (and the map is under {@code cap}) costs only
     * the entries dropped, not a walk over all of them per session.
     */
    private static int countRecent(final LinkedHashMap<Long, Long> seen, final long now, final long window, final int cap)
    {
        final Iterator<Map.Entry<Long, Long>> it = seen.entrySet().iterator();
        while (it.hasNext())
        {
            final Map.Entry<Long, Long> e = it.next();
            if (now - e.getValue() - window <= 0 && seen.size() <= cap)
            {
                break;
            }
            it.remove();
        }
        return seen.size();
    }

    private static String percent(final double share)
    {
        return Math.round(share * 100) + "%";
    }

    /** One host's windows and report summary. */
    private static final class HostState
    {
        final HostKey key;
        long lastNanos;
        final Set<String> rules = new LinkedHashSet<>();
        final WindowCount sessions = new WindowCount();
        final WindowCount rejected = new WindowCount();
        final WindowCount readable = new WindowCount();
        final WindowCount aborted = new WindowCount();
        final WindowCount recipientsWindow = new WindowCount();
        final WindowCount authFailures = new WindowCount();
        /** Name (its folded hash) to last time seen, least recently seen first. */
        final LinkedHashMap<Long, Long> heloNames = new AccessOrdered();
        /** Recipient domain (its folded hash) to last time seen, least recently seen first. */
        final LinkedHashMap<Long, Long> domains = new AccessOrdered();
        final Set<String> heloSamples = new LinkedHashSet<>();
        final Set<Long> allDomains = new HashSet<>();
        /** Reply-code histogram in two small parallel arrays (a host sees a dozen distinct codes, not 400). */
        final int[] codes = new int[MAX_CODES];
        final long[] codeCounts = new long[MAX_CODES];
        int codeCount;
        long blockedUntilNanos;
        boolean blockedKnown;
        /** When each rule last alerted about this host (or was dropped by Verdicts as a repeat). */
        final Map<String, Long> alertedAt = new HashMap<>();
        String blocklistReply;
        long sessionsTotal;
        long recipients;
        long recipientsRejected;

        HostState(final HostKey key)
        {
            this.key = key;
        }

        void summarise(final Session r, final long[] domains, final int domainCount, final HeloMemo helos,
            final List<String> providers)
        {
            sessionsTotal++;
            recipients += r.recipients();
            recipientsRejected += r.recipientsRejected();
            for (int c = 0; c < r.replyCodeCount(); c++)
            {
                final int code = r.replyCode(c);
                int i = 0;
                while (i < codeCount && codes[i] != code)
                {
                    i++;
                }
                if (i == codeCount && codeCount < MAX_CODES)
                {
                    codes[codeCount++] = code;
                }
                if (i < codeCount)
                {
                    codeCounts[i]++;
                }
            }
            if (r.hasHelo() && heloSamples.size() < MAX_HELO_SAMPLES)
            {
                heloSamples.add(helos.judge(r, providers).helo);
            }
            for (int d = 0; d < domainCount; d++)
            {
                if (allDomains.size() < MAX_DOMAINS)
                {
                    allDomains.add(domains[d]);
                }
            }
        }

        Map<Integer, Long> replyCodes()
        {
            final Map<Integer, Long> out = new TreeMap<>();
            for (int i = 0; i < codeCount; i++)
            {
                out.put(codes[i], codeCounts[i]);
            }
            return out;
        }

        SmtpHostSummary summary()
        {
            return new SmtpHostSummary(key.text(), List.copyOf(rules), sessionsTotal, replyCodes(),
                List.copyOf(heloSamples), blocklistReply, recipients, recipientsRejected, allDomains.size());
        }
    }

    /** A map whose iteration order is least recently put or read first. */
    private static final class AccessOrdered extends LinkedHashMap<Long, Long>
    {
        private static final long serialVersionUID = 1L;

        AccessOrdered()
        {
            super(16, 0.75f, true);
        }
    }
}
