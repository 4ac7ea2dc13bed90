package org.egress25.smtp;

import java.util.LinkedHashMap;
import java.util.Map;
import org.egress25.decision.Verdicts;
import org.egress25.event.PacketEvent;
import org.egress25.host.Addresses;
import org.egress25.policy.HostClass;

/**
 * One tracked SMTP connection: both TCP directions and the dialogue read from them. A slot of the
 * connection table, made once and reused for every connection it holds after; everything here is
 * primitive arrays sized by {@link SmtpLimits}, so reading a segment allocates nothing.
 *
 * <h2>Parts</h2>
 * The session owns, one per slot: a {@link Reassembler} per direction (TCP order, holes, retransmissions);
 * the {@link CommandStream} that frames and reads the client's bytes; the {@link ReplyStream} that frames
 * the server's replies and matches each to its command in the {@link PendingReplies} (pipelining, RFC 2920);
 * and the {@link TransactionLog} of what was said. The session itself knows the connection's identity, when
 * TCP ends it, whether TLS began, and the anomalies; the pattern analysers read its facts through methods.
 *
 * <p>A line that starts with byte 0x16 (a TLS handshake record) where text was due ends parsing of both
 * directions: after STARTTLS that is the handshake of a one-sided capture that missed the 220.
 */
final class Session
{
    /** Hooks into the analyser for things that must act before the session ends (blocklist replies). */
    interface Listener
    {
        /** A 4xx/5xx reply line (continuation lines too), text without CRLF, answering {@code verb}. */
        void onRejectLine(Session session, int code, Verb verb, byte[] line, int length);
    }

    static final String END_QUIT = "quit";
    static final String END_FIN = "fin";
    static final String END_RST = "rst";
    static final String END_IDLE = "idle";
    static final String END_REUSED = "reused";
    static final String END_OF_INPUT = "end-of-input";
    static final String END_SYN_TIMEOUT = "syn-timeout";
    static final String END_EVICTED = "evicted";

    /** No transaction open; or one open beyond the itemised limit (counted in totals only). */
    static final int TX_NONE = -1;
    static final int TX_UNLISTED = -2;

    private final SmtpCounters counters;
    private final boolean keepsText;
    /** This session's place in the connection table, for the table's own per-slot arrays. */
    private final int slot;

    private final Reassembler client;
    private final Reassembler server;
    private final TransactionLog log;
    private final PendingReplies pending;
    private final CommandStream commands;
    private final ReplyStream replies;

    private long clientHi;
    private long clientLo;
    private long serverHi;
    private long serverLo;
    private int clientPort;
    private int serverPort;
    private HostClass hostClass;
    private long clientIsn;
    private boolean clientSyn;

    private long startNanos;
    private long lastNanos;
    /** A 4xx/5xx reply named a blocklist zone, as the blocklist detector found. */
    private boolean blocklisted;
    /** The first such reply line, kept only for the session record ({@link #keepsText()}); or null. */
    private String blocklistReply;
    private TlsState tls;
    private String endReason;
    private final int[] anomalies = new int[Anomaly.values().length];

    /**
     * @param slot      the session's index in the connection table, for ever
     * @param keepsText whether each transaction's reply text is kept: only its session record shows it, so
     *                  without a session log the copy is skipped
     */
    Session(final SmtpLimits limits, final SmtpCounters counters, final Listener listener, final boolean keepsText,
        final int slot)
    {
        this.keepsText = keepsText;
        this.counters = counters;
        this.slot = slot;
        client = new Reassembler(limits.reorderBytes(), limits.reorderSegments());
        server = new Reassembler(limits.reorderBytes(), limits.reorderSegments());
        log = new TransactionLog(limits, counters, keepsText);
        pending = new PendingReplies(limits.maxPipelined());
        commands = new CommandStream(this, log, counters, limits.maxLineLength());
        replies = new ReplyStream(this, pending, commands, log, counters, listener, limits.maxLineLength());
    }

    /** Readies the slot for a new connection first seen at {@code nowNanos}. */
    void open(final PacketEvent e, final long nowNanos, final boolean implicitTls)
    {
        clientHi = e.hostHi();
        clientLo = e.hostLo();
        serverHi = e.serverHi();
        serverLo = e.serverLo();
        clientPort = e.clientPort();
        serverPort = e.serverPort();
        hostClass = e.hostClass;
        clientIsn = 0;
        clientSyn = false;
        startNanos = nowNanos;
        lastNanos = nowNanos;
        endReason = null;
        blocklisted = false;
        blocklistReply = null;
        client.reset();
        server.reset();
        tls = implicitTls ? TlsState.IMPLICIT : TlsState.NONE;
        commands.reset(implicitTls);
        replies.reset(implicitTls);
        pending.clear();
        log.reset();
        java.util.Arrays.fill(anomalies, 0);
    }

    /**
     * One segment of this connection. Returns the reason the session ended with it (FIN both ways, RST),
     * or null while it goes on.
     */
    String onSegment(final PacketEvent e)
    {
        lastNanos = e.timestampNanos;
        final boolean fromClient = e.direction == PacketEvent.DIR_OUTBOUND;
        final Reassembler stream = fromClient ? client : server;
        final int flags = e.tcpFlags;
        if ((flags & PacketEvent.TCP_SYN) != 0)
        {
            if (fromClient && !clientSyn)
            {
                clientSyn = true;
                clientIsn = e.tcpSeq;
                if (pending.isEmpty() && !commands.commandSeen() && !replies.replySeen())
                {
                    expect(Verb.GREETING, TX_NONE, 0);
                }
            }
            stream.onSyn(e.tcpSeq);
        }
        if ((flags & PacketEvent.TCP_ACK) != 0)
        {
            if (fromClient)
            {
                server.onPeerAck(e.tcpAck, replies);
            }
            else
            {
                client.onPeerAck(e.tcpAck, commands);
            }
        }
        if (e.payloadLength > 0)
        {
            final long seq = (flags & PacketEvent.TCP_SYN) != 0 ? e.tcpSeq + 1 : e.tcpSeq;
            stream.onData(seq, e.frame, e.payloadOffset, e.payloadLength, fromClient ? commands : replies);
        }
        else
        {
            stream.seen = true;
        }
        if ((flags & PacketEvent.TCP_RST) != 0)
        {
            return END_RST;
        }
        if ((flags & PacketEvent.TCP_FIN) != 0)
        {
            stream.finSeen = true;
            final Reassembler other = fromClient ? server : client;
            if (other.finSeen || !other.seen)
            {
                return commands.quitSent() ? END_QUIT : END_FIN;
            }
        }
        return null;
    }

    /** A SYN from the client without ACK or payload: all a spoofed source ever sends. */
    static boolean isBareClientSyn(final PacketEvent e)
    {
        return e.direction == PacketEvent.DIR_OUTBOUND && e.payloadLength == 0
            && (e.tcpFlags & (PacketEvent.TCP_SYN | PacketEvent.TCP_ACK | PacketEvent.TCP_RST | PacketEvent.TCP_FIN))
            == PacketEvent.TCP_SYN;
    }

    /** A client SYN with another initial sequence number on the same ports: the old connection is gone. */
    boolean reopenedBy(final PacketEvent e)
    {
        return (e.tcpFlags & (PacketEvent.TCP_SYN | PacketEvent.TCP_ACK)) == PacketEvent.TCP_SYN
            && e.direction == PacketEvent.DIR_OUTBOUND && clientSyn && e.tcpSeq != clientIsn;
    }

    /** Delivers what the reorder buffers still hold, treating holes as gaps: the session is ending. */
    void flush()
    {
        client.flush(commands);
        server.flush(replies);
    }

    void endReason(final String reason)
    {
        endReason = reason;
    }

    // ------------------------------------------------------------------ for the parts

    /** Queues a command for its reply; one the ring cannot itemise is counted ({@link PendingReplies}). */
    void expect(final Verb verb, final int tx, final int flags)
    {
        if (!pending.push(verb, tx, flags))
        {
            anomaly(Anomaly.PIPELINE_OVERFLOW);
            counters.caps[Cap.PIPELINE.ordinal()]++;
        }
    }

    void anomaly(final Anomaly kind)
    {
        anomalies[kind.ordinal()]++;
        counters.anomalies[kind.ordinal()]++;
    }

    void lineOverflow(final LineBuffer line)
    {
        if (line.takeOverflow())
        {
            anomaly(Anomaly.LINE_TOO_LONG);
            counters.caps[Cap.LINE_LENGTH.ordinal()]++;
        }
    }

    /** TLS began (a 220 to STARTTLS, or a handshake record where text was due): nothing more is parsed. */
    void tlsStarted()
    {
        if (tls == TlsState.NONE)
        {
            if (commands.starttlsSent() || !client.seen)
            {
                tls = commands.commandSeen() || replies.replySeen() ? TlsState.STARTTLS : TlsState.IMPLICIT;
            }
            else
            {
                anomaly(Anomaly.UNEXPECTED_TLS);
                tls = TlsState.IMPLICIT;
            }
        }
        commands.opaque();
        replies.opaque();
        pending.clear();
    }

    boolean clientSeen()
    {
        return client.seen;
    }

    boolean serverSeen()
    {
        return server.seen;
    }

    // ------------------------------------------------------------------ identity

    int slot()
    {
        return slot;
    }

    long clientHi()
    {
        return clientHi;
    }

    long clientLo()
    {
        return clientLo;
    }

    long serverHi()
    {
        return serverHi;
    }

    long serverLo()
    {
        return serverLo;
    }

    int clientPort()
    {
        return clientPort;
    }

    int serverPort()
    {
        return serverPort;
    }

    HostClass hostClass()
    {
        return hostClass;
    }

    long startNanos()
    {
        return startNanos;
    }

    long lastNanos()
    {
        return lastNanos;
    }

    /** Payload bytes either way, TLS included: zero for a connection that never carried SMTP. */
    long payloadBytes()
    {
        return client.bytes + server.bytes;
    }

    int heldBytes()
    {
        return client.heldBytes() + server.heldBytes();
    }

    /**
     * Bytes of the buffers this slot has grown so far (line buffers, reorder buffers, arena, reply text,
     * recipient index): at most the per-connection figure of {@link SmtpLimits}, whatever the traffic.
     */
    long grownBytes()
    {
        return commands.lineBytesMade() + replies.lineBytesMade() + client.heldCapacityMade()
            + server.heldCapacityMade() + log.retainedBytes();
    }

    /** Whether text only the session record shows is kept (there is a session log). */
    boolean keepsText()
    {
        return keepsText;
    }

    TlsState tls()
    {
        return tls;
    }

    /** Whether a reply of this session already named a blocklist zone. */
    boolean blocklisted()
    {
        return blocklisted;
    }

    /** A reply named a blocklist zone; {@code reply} is its text for the session record, or null. */
    void blocklisted(final String reply)
    {
        blocklisted = true;
        blocklistReply = reply;
    }

    // ------------------------------------------------------------------ what the pattern analysers read

    // Read at session end, straight from the slot: the detectors and the sequential test need counts, the
    // HELO and recipient domains, not a SessionRecord. Building one (strings, lists, maps) was most of the
    // session-end cost, so it is only built when a session log asks for it.

    int recipients()
    {
        return log.recipients();
    }

    int recipientsRejected()
    {
        return log.recipientsRejected();
    }

    int recipientsUnknown()
    {
        return log.recipientsUnknown();
    }

    int dataAccepted()
    {
        return log.dataAccepted();
    }

    int dataAttempts()
    {
        return log.dataAttempts();
    }

    int authFailures()
    {
        return replies.authFailures();
    }

    boolean earlyRejection()
    {
        return replies.earlyRejection();
    }

    /** Final replies of every class. */
    int repliesTotal()
    {
        return replies.repliesTotal();
    }

    int replyCodeCount()
    {
        return replies.replyCodeCount();
    }

    int replyCode(final int i)
    {
        return replies.replyCode(i);
    }

    boolean hasHelo()
    {
        return log.hasHelo();
    }

    /** The arena holding the HELO name (valid while {@link #hasHelo()}), for {@link HeloMemo}. */
    byte[] heloBytes()
    {
        return log.arena();
    }

    int heloOffset()
    {
        return log.heloOffset();
    }

    int heloLength()
    {
        return log.heloLength();
    }

    /** See {@link TransactionLog#recipientDomainHashes}. */
    int recipientDomainHashes(final long[] out)
    {
        return log.recipientDomainHashes(out);
    }

    /** FNV-1a over ASCII-lower-cased bytes {@code [from, to)}. */
    static long foldedHash(final byte[] bytes, final int from, final int to)
    {
        return TransactionLog.foldedHash(bytes, from, to);
    }

    // ------------------------------------------------------------------ the record

    /** Builds the session's record; called once, when the session ends (allocation is fine here). */
    SessionRecord toRecord()
    {
        final Map<String, Integer> anomalyCounts = new LinkedHashMap<>();
        final Anomaly[] kinds = Anomaly.values();
        for (int i = 0; i < kinds.length; i++)
        {
            if (anomalies[i] > 0)
            {
                anomalyCounts.put(kinds[i].label(), anomalies[i]);
            }
        }
        return new SessionRecord(
            Verdicts.toInstant(startNanos),
            Verdicts.toInstant(lastNanos),
            Addresses.format(clientHi, clientLo),
            clientPort,
            Addresses.format(serverHi, serverLo),
            serverPort,
            log.heloText(),
            tls,
            commands.authAttempts(),
            replies.authFailures(),
            log.transactions(),
            replies.replies(),
            anomalyCounts,
            client.seen,
            server.seen,
            client.bytes,
            server.bytes,
            endReason == null ? END_OF_INPUT : endReason,
            log.recipients(),
            log.recipientsRejected(),
            log.recipientsUnknown(),
            log.dataAccepted(),
            log.dataAttempts(),
            log.mailCommands(),
            replies.earlyRejection(),
            replies.replyCodesCopy(),
            blocklistReply);
    }
}
