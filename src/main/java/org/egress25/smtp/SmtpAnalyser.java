package org.egress25.smtp;

import java.util.List;
import java.util.function.Supplier;
import org.egress25.analysis.Analyser;
import org.egress25.decision.Corroboration;
import org.egress25.decision.Verdicts;
import org.egress25.decode.DecodeStatus;
import org.egress25.event.PacketEvent;
import org.egress25.policy.Policy;

/**
 * Reads SMTP dialogues from the segments between inside clients and outside SMTP servers, writes one
 * {@link SessionRecord} per connection to the session log when there is one, and runs the pattern analysers
 * ({@link SmtpPatterns}) that turn dialogues into decisions.
 *
 * <p>Per segment: one hash lookup in the {@link ConnectionTable}, reassembly in place
 * ({@link Reassembler}), and a byte-at-a-time state machine over the payload ({@link Session}); nothing is
 * allocated. A connection is tracked from its SYN, or from its first data segment when the capture began
 * mid-connection; pure ACKs, FINs and RSTs of untracked connections are ignored, so the last ACK after a
 * close does not open a phantom session. Sessions end on FIN from both sides (or from the only side seen),
 * RST, a new SYN on the same ports, {@link SmtpLimits#idleTimeout()} of capture time, or end of input.
 * A connection of nothing but the client's bare SYNs ends at the policy's SYN timeout instead, and is evicted
 * (oldest first) when a new connection finds every slot taken: spoofed SYNs, never answered, cannot keep
 * the dialogues of real connections out of the table ({@link SmtpLimits}).
 *
 * <p>Port 465 is implicit TLS (RFC 8314): counted, never parsed.
 *
 * <p>Single writer: every method is called on the analysis thread. The metric getters may be read from
 * elsewhere and then see slightly stale counts.
 */
public final class SmtpAnalyser implements Analyser
{
    private static final int IMPLICIT_TLS_PORT = 465;

    /** The session log, or null: records are only built when someone reads them. */
    private final SessionSink sessions;
    private final SmtpLimits limits;
    private final Supplier<Policy> policy;
    private final SmtpCounters counters = new SmtpCounters();
    private final SmtpPatterns patterns;
    private final ConnectionTable table;
    private final long sweepIntervalNanos;
    private long nextSweepNanos;
    private boolean clockStarted;

    /**
     * @param outcomes every finished session's {@link SessionOutcome}, for the sequential test
     * @param sessions the session log, or null for none
     */
    public SmtpAnalyser(final Supplier<Policy> policy, final Verdicts verdicts, final SessionOutcome.Listener outcomes,
        final SessionSink sessions, final SmtpLimits limits)
    {
        this.sessions = sessions;
        this.limits = limits;
        this.policy = policy;
        this.patterns = new SmtpPatterns(policy, verdicts, outcomes, limits, counters);
        this.table = new ConnectionTable(limits, counters, patterns, sessions != null);
        // Sweep for idle sessions every twentieth of the timeout (15 s for the default 5 min, never more often than
        // once a second unless the timeout itself is under 4 s): a session ends at most 5% late. Once a second
        // was 12% of the SMTP analyser's time on the replay benchmark: each sweep touches every live Session.
        final long idle = limits.idleTimeout().toNanos();
        this.sweepIntervalNanos = Math.min(idle / 4, Math.max(1_000_000_000L, idle / 20));
    }

    /**
     * What backs a volume finding (recipient fan-out) before it may block; set before the pipeline starts. The
     * default, {@link Corroboration#NONE}, never does: recipient volume alone then only alerts.
     */
    public void setCorroboration(final Corroboration corroboration)
    {
        patterns.setCorroboration(corroboration);
    }

    @Override
    public void onSegment(final PacketEvent e)
    {
        if (e.direction == PacketEvent.DIR_NONE || e.status != DecodeStatus.OK)
        {
            return;
        }
        counters.segments++;
        final int flags = e.tcpFlags;
        final boolean syn = (flags & PacketEvent.TCP_SYN) != 0;
        final long clientHi = e.hostHi();
        final long clientLo = e.hostLo();
        Session s = table.find(clientHi, clientLo, e.clientPort(), e.serverHi(), e.serverLo(), e.serverPort());
        if (s != null && s.reopenedBy(e))
        {
            // Same ports, new initial sequence number: the old connection is gone and its ports reused.
            finish(s, Session.END_REUSED, e.timestampNanos);
            s = null;
        }
        if (s == null)
        {
            if ((!syn && e.payloadLength == 0) || (flags & PacketEvent.TCP_RST) != 0)
            {
                return;
            }
            if (!admit(clientHi, clientLo, e.timestampNanos))
            {
                return;
            }
            s = table.allocate();
            s.open(e, e.timestampNanos, e.serverPort() == IMPLICIT_TLS_PORT);
            table.insert(s, Session.isBareClientSyn(e));
        }
        else if (table.isHalfOpen(s) && !Session.isBareClientSyn(e))
        {
            table.answered(s);
        }
        final String end = s.onSegment(e);
        if (end != null)
        {
            finish(s, end, e.timestampNanos);
        }
    }

    /**
     * Whether a new connection from the host may have a slot, ending the oldest half-open connection when
     * only the table's size is in the way; a refusal is counted under the cap that bit.
     */
    private boolean admit(final long clientHi, final long clientLo, final long nowNanos)
    {
        Cap refusal = table.refusal(clientHi, clientLo);
        if (refusal == Cap.CONNECTIONS && table.oldestHalfOpen() != null)
        {
            counters.caps[Cap.HALF_OPEN_EVICTED.ordinal()]++;
            finish(table.oldestHalfOpen(), Session.END_EVICTED, nowNanos);
            refusal = null;
        }
        if (refusal != null)
        {
            counters.caps[refusal.ordinal()]++;
            return false;
        }
        return true;
    }

    /** Ends half-open connections older than the SYN timeout; they are in opening order, so only the head is read. */
    private void expireHalfOpen(final long nowNanos)
    {
        final long synTimeoutNanos = policy.get().synTimeout().toNanos();
        Session oldest = table.oldestHalfOpen();
        while (oldest != null && nowNanos - oldest.startNanos() - synTimeoutNanos >= 0)
        {
            counters.caps[Cap.SYN_TIMEOUT.ordinal()]++;
            finish(oldest, Session.END_SYN_TIMEOUT, nowNanos);
            oldest = table.oldestHalfOpen();
        }
    }

    @Override
    public void onTick(final long nowNanos)
    {
        if (table.halfOpenCount() > 0)
        {
            expireHalfOpen(nowNanos);
        }
        if (clockStarted && nowNanos - nextSweepNanos < 0)
        {
            return;
        }
        clockStarted = true;
        nextSweepNanos = nowNanos + sweepIntervalNanos;
        final long idle = limits.idleTimeout().toNanos();
        for (int i = table.size() - 1; i >= 0; i--)
        {
            final Session s = table.live(i);
            if (nowNanos - s.lastNanos() - idle > 0)
            {
                counters.caps[Cap.IDLE_TIMEOUT.ordinal()]++;
                finish(s, Session.END_IDLE, nowNanos);
            }
        }
        patterns.onTick(nowNanos);
    }

    @Override
    public void onEnd(final long nowNanos)
    {
        for (int i = table.size() - 1; i >= 0; i--)
        {
            finish(table.live(i), Session.END_OF_INPUT, nowNanos);
        }
    }

    /**
     * Ends a session: flushes what the reorder buffers hold, then (if any payload was seen) writes its record
     * when there is a session log and hands the slot itself to the pattern analysers, which also give its
     * outcome to the sequential test (the slot is only reused by the next {@link ConnectionTable#allocate}).
     * A connection that never carried a byte of SMTP (a SYN left unanswered or refused, a handshake then RST)
     * is counted but not logged: those are connection attempts, the rate analyser's business, and a mass
     * sender makes hundreds a minute.
     */
    private void finish(final Session s, final String reason, final long nowNanos)
    {
        s.flush();
        s.endReason(reason);
        table.remove(s);
        if (s.payloadBytes() == 0)
        {
            counters.emptySessions++;
            return;
        }
        counters.session(s.serverPort(), s.tls());
        if (sessions != null)
        {
            sessions.accept(s.toRecord());
        }
        patterns.onSession(s, Math.max(nowNanos, s.lastNanos()));
    }

    // ------------------------------------------------------------------ metrics and report

    /** Sessions ended so far on a server port in a TLS state (ports beyond the 8 first seen read 0). */
    public long sessions(final int port, final TlsState tls)
    {
        return counters.sessions(port, tls);
    }

    /** Server ports with sessions so far, in the order first seen (at most 8). */
    public int[] sessionPorts()
    {
        return java.util.Arrays.copyOf(counters.sessionPorts, counters.sessionPortCount);
    }

    public long commands(final Verb verb)
    {
        return counters.commands[verb.ordinal()];
    }

    /** Final replies by class 1 to 5 (1xx is not a valid SMTP reply but is counted when seen). */
    public long replies(final int replyClass)
    {
        return replyClass >= 1 && replyClass <= 5 ? counters.replies[replyClass - 1] : 0;
    }

    public long anomalies(final Anomaly kind)
    {
        return counters.anomalies[kind.ordinal()];
    }

    public long capHits(final Cap cap)
    {
        return counters.caps[cap.ordinal()];
    }

    public long segments()
    {
        return counters.segments;
    }

    /** Connections that ended without a byte of payload either way: counted, not logged. */
    public long emptySessions()
    {
        return counters.emptySessions;
    }

    /** Connections tracked right now. */
    public int openSessions()
    {
        return table.size();
    }

    /** Connections tracked right now that are half-open: nothing but the client's bare SYNs seen. */
    public int halfOpenSessions()
    {
        return table.halfOpenCount();
    }

    /** Bytes held in reorder buffers right now, all connections together. */
    public long heldBytes()
    {
        long total = 0;
        for (int i = 0; i < table.size(); i++)
        {
            total += table.live(i).heldBytes();
        }
        return total;
    }

    /** Heap bytes of the pattern analysers' host state right now (bounded by {@link SmtpLimits#maxPatternBytes()}). */
    public long patternBytes()
    {
        return patterns.retainedBytes();
    }

    /** Bytes the connection slots' buffers have grown to, and the slots made, for the memory tests. */
    long connectionBufferBytes()
    {
        return table.grownBytes();
    }

    int connectionSlotsMade()
    {
        return table.created();
    }

    /** Hosts the pattern analysers track right now. */
    public int patternHosts()
    {
        return patterns.trackedHosts();
    }

    /**
     * Report material for every host a pattern rule fired for (and still tracked). Allocates; call it on the
     * analysis thread (a pipeline command), since the per-host map is not safe to read from another thread.
     */
    public List<SmtpHostSummary> flaggedHosts()
    {
        return patterns.flaggedHosts();
    }

    /** Report material for one host, or null when it had no tracked session. Analysis thread only, as above. */
    public SmtpHostSummary summary(final long hi, final long lo)
    {
        return patterns.summary(hi, lo);
    }
}
