package org.egress25.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.egress25.host.Action;
import org.egress25.decision.Corroboration;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.decision.Verdicts;
import org.egress25.host.Addresses;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;
import org.egress25.policy.PortGroup;
import org.egress25.policy.SmtpRules;

/**
 * The SMTP pattern analysers, per inside host, fed by reply lines as they arrive (blocklist replies) and by
 * finished sessions (the {@link SessionDetectors}). Thresholds come from {@code policy.smtp()} on every call,
 * so a reload applies to the next session.
 *
 * <p><b>Blocklist reply</b> fires on the reply line itself, before the session ends: a 4xx/5xx text matching
 * one of the rule's patterns (zone names such as "spamhaus", and operators' own wordings such as Outlook's
 * "on our block list"). It is a decisive signal, and asks for the rule's action, only when the reply names
 * the host's address (forwards, or reversed as in a DNSBL query name): then a receiver says in so many words
 * that this host is listed. Any other blocklist reply (at the greeting without the address, or later in the
 * dialogue, where it may be about a domain in the message, Spamhaus DBL) is badness evidence: it alerts, and
 * the session counts as a blocklist observation of the sequential test.
 *
 * <p><b>Volume</b> (the recipient fan-out rule) never blocks on its own: it blocks only when the sequential
 * test's badness evidence {@link Corroboration corroborates} it, and alerts otherwise, saying what is missing.
 *
 * <p>At session end the outcome goes to the sequential test, then each detector judges the session against
 * the host's windows; a finding becomes a decision when it is {@link #due due}.
 *
 * <p>State: one {@link HostState} per host that had a session, in an access-ordered map capped at
 * {@link SmtpLimits#maxPatternHosts()} (least recently active forgotten first) and swept of hosts idle for
 * {@link SmtpLimits#patternIdle()}. It is allocated at session end or when a detector fires, never per packet.
 */
final class SmtpPatterns implements Session.Listener
{
    static final int MAX_REPLY_TEXT = 300;

    private final Supplier<Policy> policy;
    private final Verdicts verdicts;
    private final SmtpLimits limits;
    private final SmtpCounters counters;
    private final LinkedHashMap<HostKey, HostState> hosts;
    private final SessionOutcome.Listener outcomes;
    private final SessionDetector[] detectors = SessionDetectors.all();
    /** The session being judged, as the detectors see it; refilled per session. */
    private final SessionFacts facts;
    /** Sum of the tracked hosts' {@link HostState#accountedBytes}. */
    private long retainedBytes;
    private SmtpRules.Blocklist zonesFor;
    private SmtpRules idsFor;
    private String[] ids;
    private byte[][] zones = new byte[0][];
    private boolean[] zoneStarts = new boolean[1 << 16];
    private long nextSweepNanos = Long.MIN_VALUE;
    private Corroboration corroboration = Corroboration.NONE;

    SmtpPatterns(final Supplier<Policy> policy, final Verdicts verdicts, final SessionOutcome.Listener outcomes,
        final SmtpLimits limits, final SmtpCounters counters)
    {
        this.outcomes = outcomes;
        this.facts = new SessionFacts(new HeloMemo(), limits.maxRecipients());
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
                    retainedBytes -= eldest.getValue().accountedBytes;
                }
                return full;
            }
        };
    }

    void setCorroboration(final Corroboration corroboration)
    {
        this.corroboration = corroboration;
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
        // The session remembers the first such reply whatever the exemptions say (its record shows the text
        // when there is a session log); only the decision is subject to them.
        if (!s.blocklisted())
        {
            s.blocklisted(s.keepsText() ? replyText(line, length) : null);
        }
        if (exempt(current, s.clientHi(), s.clientLo(), s.serverHi(), s.serverLo(), s.lastNanos()))
        {
            return;
        }
        final HostState state = state(s.clientHi(), s.clientLo(), s.lastNanos());
        state.blocklistReply(line, length);
        if (due(state, rule.id(), s.lastNanos()))
        {
            blocklistFinding(s, verb, rule, zone, replyText(line, length), state);
        }
        account(state);
    }

    /**
     * A blocklist reply worth a decision. Out of line, and only reached when {@link #due} says so: a blocked
     * spambot gets such a reply in every session, and building these strings for each was a late, large
     * compilation of {@link #onRejectLine} on longer replays.
     */
    private void blocklistFinding(final Session s, final Verb verb, final SmtpRules.Blocklist rule, final int zone,
        final String text, final HostState state)
    {
        final String host = Addresses.format(s.clientHi(), s.clientLo());
        final boolean namesHost = namesAddress(text, host, s.clientHi(), s.clientLo());
        final String server = Addresses.format(s.serverHi(), s.serverLo());
        final Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("reply", text);
        evidence.put("zone", rule.zones().get(zone));
        evidence.put("names_host", namesHost);
        evidence.put("answering", verb.label());
        evidence.put("server", server);
        evidence.put("server_port", s.serverPort());
        evidence.put("basis", namesHost ? "decisive: the reply names this host's address" : "badness evidence only");
        if (!namesHost)
        {
            evidence.put("missing", "a reply naming the host's address (only that is decisive); the session counts"
                + " as a blocklist observation of the sequential test");
        }
        final String reason = "remote server " + server + " refused with a blocklist reply ("
            + rule.zones().get(zone) + ")" + (namesHost ? " naming this host's address" : "")
            + (namesHost ? "" : "; it does not name the host, so alert only") + ": " + text;
        fire(state, s.clientHi(), s.clientLo(), s.hostClass(), Policy.groupOf(s.serverPort()), rule.id(),
            namesHost ? rule.action() : Action.ALERT, reason, evidence, s.lastNanos());
    }

    private static String replyText(final byte[] line, final int length)
    {
        return new String(line, 0, Math.min(length, MAX_REPLY_TEXT), StandardCharsets.UTF_8);
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
            zones = lower;
            zoneStarts = zoneStarts(lower);
            zonesFor = rule;
        }
        return zones;
    }

    /** The byte pairs that can start one of the (lower-case) zones, for {@link #findZone}. */
    static boolean[] zoneStarts(final byte[][] zones)
    {
        final boolean[] starts = new boolean[1 << 16];
        for (final byte[] zone : zones)
        {
            if (zone.length > 1)
            {
                starts[(zone[0] & 0xff) << 8 | (zone[1] & 0xff)] = true;
            }
            else if (zone.length == 1)
            {
                // a one-letter zone starts at any pair that begins with its letter, and at the line's last byte
                for (int second = 0; second < 256; second++)
                {
                    starts[(zone[0] & 0xff) << 8 | second] = true;
                }
            }
        }
        return starts;
    }

    /**
     * Index of the first zone found in the line, case-insensitively; -1 when none. No allocation. A position
     * is only tried against the zones when its two bytes can start one ({@code starts}, indexed by the
     * lower-case byte pair; the pair after the last byte is that byte and 0), which skips nearly all of a
     * reply's text: this runs on every 4xx/5xx line a spambot receives. Indexed by the first byte alone, as
     * it was, most positions of an English reply passed ("s", "b", "c", "d" and "u" start zones).
     */
    static int findZone(final byte[][] zones, final boolean[] starts, final byte[] line, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final byte first = lower(line[i]);
            final int second = i + 1 < length ? lower(line[i + 1]) & 0xff : 0;
            if (!starts[(first & 0xff) << 8 | second])
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
     * run, in {@link SessionDetectors#all()} order. Sessions of exempt hosts (a customer's own MTA), to exempt
     * servers (the ISP's smarthosts) and under TLS from the first byte are never judged by the detectors.
     */
    void onSession(final Session s, final long nowNanos)
    {
        final Policy current = policy.get();
        final SessionFacts f = facts;
        f.begin(s, current.smtp());
        // At the session's last segment, not the idle sweep that may have ended it later.
        outcomes.onOutcome(s.clientHi(), s.clientLo(), SessionOutcome.classify(f), s.lastNanos());
        // Implicit TLS (465) shows nothing of the dialogue: counted in the metrics, never judged either way.
        if (s.tls() != TlsState.IMPLICIT && !exempt(current, s.clientHi(), s.clientLo(), s.serverHi(), s.serverLo(), nowNanos))
        {
            judge(f, nowNanos);
        }
        f.end();
    }

    private void judge(final SessionFacts f, final long nowNanos)
    {
        final Session s = f.session;
        final SmtpRules rules = f.rules;
        f.now = nowNanos;
        f.group = Policy.groupOf(s.serverPort());
        f.host = state(s.clientHi(), s.clientLo(), nowNanos);
        f.domainCount = s.recipientDomainHashes(f.domains);
        f.host.summarise(f);
        final String[] ids = ruleIds(rules);
        for (int i = 0; i < detectors.length; i++)
        {
            if (!detectors[i].observe(f))
            {
                continue;
            }
            if (detectors[i].volume() && detectors[i].action(rules) == Action.BLOCK)
            {
                volumeFinding(detectors[i], f, ids[i], nowNanos);
            }
            else if (due(f.host, ids[i], nowNanos))
            {
                found(detectors[i], f, nowNanos);
            }
        }
        account(f.host);
    }

    /**
     * Brings the running total of host-state bytes up to date for {@code h}, which just grew; past
     * {@link SmtpLimits#maxPatternBytes()} the least recently active other hosts are forgotten until it fits.
     */
    private void account(final HostState h)
    {
        final long bytes = h.retainedBytes();
        retainedBytes += bytes - h.accountedBytes;
        h.accountedBytes = bytes;
        if (retainedBytes > limits.maxPatternBytes())
        {
            shed(h);
        }
    }

    private void shed(final HostState keep)
    {
        final Iterator<HostState> it = hosts.values().iterator();
        while (retainedBytes > limits.maxPatternBytes() && it.hasNext())
        {
            final HostState h = it.next();
            if (h != keep)
            {
                it.remove();
                retainedBytes -= h.accountedBytes;
                counters.caps[Cap.PATTERN_BYTES.ordinal()]++;
            }
        }
    }

    /** Heap bytes the hosts' state holds, by {@link HostState#retainedBytes()} as last accounted. */
    long retainedBytes()
    {
        return retainedBytes;
    }

    /**
     * A volume finding that wants a block: a block when the sequential test corroborates it (even within the
     * hour after its alert: the evidence arrived since), an alert saying what is missing otherwise.
     */
    private void volumeFinding(final SessionDetector detector, final SessionFacts f, final String id, final long now)
    {
        final Session s = f.session;
        final boolean backed = corroboration.corroborates(s.clientHi(), s.clientLo(), now);
        if (backed ? !unblocked(f.host, id, now) : !due(f.host, id, now))
        {
            return;
        }
        final Map<String, Object> evidence = new LinkedHashMap<>(detector.evidence(f));
        final String reason;
        if (backed)
        {
            evidence.put("basis", "corroborated: volume and badness evidence");
            evidence.put("corroborated_by", corroboration.evidence(s.clientHi(), s.clientLo(), now));
            reason = detector.reason(f) + "; corroborated by the host's bad dialogues";
        }
        else
        {
            evidence.put("basis", "volume alone");
            evidence.put("missing", corroboration.missing(s.clientHi(), s.clientLo(), now));
            reason = detector.reason(f) + "; volume alone, so alert only";
        }
        fire(f.host, s.clientHi(), s.clientLo(), s.hostClass(), f.group, id, backed ? Action.BLOCK : Action.ALERT, reason,
            evidence, now);
    }

    /** Like {@link #due} for a block: only the host's current block holds it back, not an earlier alert. */
    private static boolean unblocked(final HostState h, final String rule, final long now)
    {
        h.rules.add(rule);
        return !(h.blockedKnown && now - h.blockedUntilNanos < 0);
    }

    /**
     * A due finding: its own method so the rarely taken path (the detector's reason and evidence, virtual calls
     * whose receivers the session-end profile has seldom seen) is not compiled into {@link #judge}, where
     * each newly firing detector type would invalidate the compiled loop and have it compiled again.
     */
    private void found(final SessionDetector detector, final SessionFacts f, final long nowNanos)
    {
        final Session s = f.session;
        fire(f.host, s.clientHi(), s.clientLo(), s.hostClass(), f.group, detector.rule(f.rules), detector.action(f.rules),
            detector.reason(f), detector.evidence(f), nowNanos);
    }

    /** The detectors' rule ids under {@code rules}, in detector order; rebuilt only when the rules change. */
    private String[] ruleIds(final SmtpRules rules)
    {
        if (rules != idsFor)
        {
            final String[] built = new String[detectors.length];
            for (int i = 0; i < built.length; i++)
            {
                built[i] = detectors[i].rule(rules);
            }
            ids = built;
            idsFor = rules;
        }
        return ids;
    }

    private static boolean exempt(final Policy policy, final long hi, final long lo, final long serverHi,
        final long serverLo, final long nowNanos)
    {
        return policy.exemptions().sourceExempt(hi, lo, nowNanos)
            || policy.exemptions().destinationExempt(serverHi, serverLo, nowNanos);
    }

    /**
     * Whether a finding is worth a decision: not while the host is blocked (as learnt from Verdicts when a
     * rule last fired), and not when this rule already alerted about it within {@link Verdicts#ALERT_QUIET_NANOS}. Verdicts would drop
     * those anyway; asking first saves building the reason and evidence for every session of a spambot
     * that stays over a threshold (measured: most of the session-end cost on the mixed benchmark).
     */
    private boolean due(final HostState h, final String rule, final long now)
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
            retainedBytes -= h.accountedBytes;
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
}
