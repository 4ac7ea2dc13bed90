package org.egress25.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.egress25.decision.Verdicts;
import org.egress25.pipeline.PacketEvent;
import org.egress25.policy.Addresses;
import org.egress25.policy.HostClass;

/**
 * One tracked SMTP connection: both TCP directions and the dialogue read from them. A slot of the
 * connection table, made once and reused for every connection it holds after; everything here is
 * primitive arrays sized by {@link SmtpLimits}, so reading a segment allocates nothing.
 *
 * <h2>How the dialogue is read</h2>
 * The client stream is in one of four modes: command lines; a DATA body (skipped up to CRLF.CRLF, counted);
 * a BDAT chunk (n bytes skipped); or opaque (TLS: counted, never parsed). The server stream is reply lines or
 * opaque. Each command that expects a reply goes into a queue; each complete reply (the last line of a
 * {@code 250-...} group) answers the head of the queue, which is how replies are tied to commands under
 * PIPELINING (RFC 2920: the server answers in order). The greeting is a pseudo-command queued when the
 * SYN is seen.
 *
 * <p>DATA switches to body mode at once, without waiting for 354: pipelining clients send the body right
 * behind DATA, and a client-only capture never sees the 354. If the server then refuses DATA, the reply
 * arrives before the client's next line (the client waited for it), and the mode goes back to commands.
 *
 * <p>A line that starts with byte 0x16 (a TLS handshake record) where text was due ends parsing of both
 * directions: after STARTTLS that is the handshake of a one-sided capture that missed the 220.
 */
final class Session implements Reassembler.Consumer
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

    private static final int MODE_LINE = 0;
    private static final int MODE_DATA = 1;
    private static final int MODE_BDAT = 2;
    private static final int MODE_OPAQUE = 3;

    /** Body scanner states for the CRLF.CRLF terminator; a bare LF is accepted as a line end too. */
    private static final int BODY_MID = 0;
    private static final int BODY_LINE_START = 1;
    private static final int BODY_DOT = 2;
    private static final int BODY_DOT_CR = 3;

    private static final int DATA_NONE = 0;
    private static final int DATA_ACCEPTED = 1;
    private static final int DATA_REJECTED = 2;
    private static final String[] DATA_TEXT = {"none", "accepted", "rejected"};

    /** No transaction open; or one open beyond the itemised limit (counted in totals only). */
    private static final int TX_NONE = -1;
    private static final int TX_UNLISTED = -2;

    private static final int FLAG_LAST = 1;
    private static final int MAX_REPLY_CODES = 64;

    private final SmtpLimits limits;
    private final SmtpCounters counters;
    private final Listener listener;
    private final Verb[] verbs = Verb.ALL;

    final Reassembler client;
    final Reassembler server;
    private final Reassembler.Consumer serverConsumer = new ServerSide();

    // --- identity, written by the connection table ---
    long clientHi;
    long clientLo;
    long serverHi;
    long serverLo;
    int clientPort;
    int serverPort;
    HostClass hostClass;
    int tableIndex;
    int activeIndex;
    long clientIsn;
    boolean clientSyn;

    long startNanos;
    long lastNanos;
    /** A 4xx/5xx reply named a blocklist zone, as the blocklist detector found. */
    boolean blocklisted;
    /** The first such reply line, kept only for the session record ({@link #keepsText()}); or null. */
    String blocklistReply;
    private TlsState tls;
    private String endReason;

    // --- client stream ---
    private int clientMode;
    private final LineBuffer clientLine;
    private int bodyState;
    private long bdatRemaining;
    private boolean quitSent;
    private boolean heloSeen;
    private boolean starttlsSent;
    private boolean authPending;
    private boolean authChallenge;
    private boolean commandSeen;

    // --- server stream ---
    private int serverMode;
    private final LineBuffer serverLine;
    private boolean replySeen;

    // --- commands awaiting replies (ring) ---
    private final int[] pendingVerb;
    private final int[] pendingTx;
    private final int[] pendingFlags;
    private int pendingHead;
    private int pendingCount;

    // --- what the session said ---
    /** Arena, reply text and recipient index are made on first use, then kept with the slot. */
    private byte[] arena;
    private int arenaUsed;
    private int heloOffset;
    private int heloLength;

    private int openTx;
    private int txCount;
    private final int[] txMailOffset;
    private final int[] txMailLength;
    private final int[] txRcptCount;
    private final int[] txRcptRejected;
    private final int[] txData;
    private final long[] txDataBytes;
    private final boolean keepsText;
    private byte[] txReply;
    private final int[] txReplyLength;

    private int rcptStored;
    private int[] rcptOffset;
    private int[] rcptLength;
    private int[] rcptTx;

    private final int[] replies = new int[4];
    private final int[] anomalies = new int[Anomaly.values().length];
    private final int[] replyCodes = new int[MAX_REPLY_CODES];
    private int replyCodeCount;
    private int authAttempts;
    private int authFailures;
    private int recipients;
    private int recipientsRejected;
    private int recipientsUnknown;
    private int dataAccepted;
    private int dataAttempts;
    private int mailCommands;
    private boolean earlyRejection;

    /**
     * @param keepsText whether each transaction's reply text is kept: only its session record shows it, so
     *                  without a session log the copy is skipped
     */
    Session(final SmtpLimits limits, final SmtpCounters counters, final Listener listener, final boolean keepsText)
    {
        this.keepsText = keepsText;
        this.limits = limits;
        this.counters = counters;
        this.listener = listener;
        client = new Reassembler(limits.reorderBytes(), limits.reorderSegments());
        server = new Reassembler(limits.reorderBytes(), limits.reorderSegments());
        clientLine = new LineBuffer(limits.maxLineLength());
        serverLine = new LineBuffer(limits.maxLineLength());
        pendingVerb = new int[limits.maxPipelined()];
        pendingTx = new int[limits.maxPipelined()];
        pendingFlags = new int[limits.maxPipelined()];
        final int tx = limits.maxTransactions();
        txMailOffset = new int[tx];
        txMailLength = new int[tx];
        txRcptCount = new int[tx];
        txRcptRejected = new int[tx];
        txData = new int[tx];
        txDataBytes = new long[tx];
        txReplyLength = new int[tx];
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
        clientMode = implicitTls ? MODE_OPAQUE : MODE_LINE;
        serverMode = clientMode;
        tls = implicitTls ? TlsState.IMPLICIT : TlsState.NONE;
        clientLine.reset();
        bodyState = BODY_LINE_START;
        bdatRemaining = 0;
        quitSent = false;
        heloSeen = false;
        starttlsSent = false;
        authPending = false;
        authChallenge = false;
        commandSeen = false;
        serverLine.reset();
        replySeen = false;
        pendingHead = 0;
        pendingCount = 0;
        arenaUsed = 0;
        heloOffset = 0;
        heloLength = -1;
        openTx = TX_NONE;
        txCount = 0;
        rcptStored = 0;
        Arrays.fill(replies, 0);
        Arrays.fill(anomalies, 0);
        replyCodeCount = 0;
        authAttempts = 0;
        authFailures = 0;
        recipients = 0;
        recipientsRejected = 0;
        recipientsUnknown = 0;
        dataAccepted = 0;
        dataAttempts = 0;
        mailCommands = 0;
        earlyRejection = false;
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
                if (pendingCount == 0 && !commandSeen && !replySeen)
                {
                    push(Verb.GREETING, TX_NONE, 0);
                }
            }
            stream.onSyn(e.tcpSeq);
        }
        if ((flags & PacketEvent.TCP_ACK) != 0)
        {
            if (fromClient)
            {
                server.onPeerAck(e.tcpAck, serverConsumer);
            }
            else
            {
                client.onPeerAck(e.tcpAck, this);
            }
        }
        if (e.payloadLength > 0)
        {
            final long seq = (flags & PacketEvent.TCP_SYN) != 0 ? e.tcpSeq + 1 : e.tcpSeq;
            stream.onData(seq, e.frame, e.payloadOffset, e.payloadLength, fromClient ? this : serverConsumer);
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
                return quitSent ? END_QUIT : END_FIN;
            }
        }
        return null;
    }

    /** Delivers what the reorder buffers still hold, treating holes as gaps: the session is ending. */
    void flush()
    {
        client.flush(this);
        server.flush(serverConsumer);
    }

    void endReason(final String reason)
    {
        endReason = reason;
    }

    int heldBytes()
    {
        return client.heldBytes() + server.heldBytes();
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

    // ------------------------------------------------------------------ client stream

    @Override
    public void onBytes(final byte[] buffer, final int offset, final int length)
    {
        int at = offset;
        final int end = offset + length;
        while (at < end)
        {
            switch (clientMode)
            {
                case MODE_LINE:
                    at = clientLineBytes(buffer, at, end);
                    break;
                case MODE_DATA:
                    at = bodyBytes(buffer, at, end);
                    break;
                case MODE_BDAT:
                    at = chunkBytes(at, end);
                    break;
                default:
                    return;
            }
        }
    }

    @Override
    public void onGap(final long missingBytes)
    {
        anomaly(Anomaly.GAP);
        switch (clientMode)
        {
            case MODE_LINE:
                clientLine.gap();
                break;
            case MODE_DATA:
                addDataBytes(missingBytes);
                bodyState = BODY_MID;
                break;
            case MODE_BDAT:
                final long skipped = Math.min(missingBytes, bdatRemaining);
                bdatRemaining -= skipped;
                if (bdatRemaining == 0)
                {
                    clientMode = MODE_LINE;
                    clientLine.reset();
                    clientLine.resync = missingBytes > skipped;
                }
                break;
            default:
                break;
        }
    }

    private int clientLineBytes(final byte[] buffer, final int from, final int end)
    {
        if (clientLine.atCleanStart() && buffer[from] == 0x16)
        {
            tlsStarted();
            return end;
        }
        final int at = clientLine.append(buffer, from, end);
        lineOverflow(clientLine);
        if (clientLine.complete() && (!clientLine.resync || startsWithVerb(clientLine.bytes, clientLine.length)))
        {
            command(clientLine.bytes, clientLine.length);
        }
        return at;
    }

    /**
     * Skips a DATA body up to its terminating line ".": only the bytes right after a line feed can start it,
     * so mid-line the scan is a tight search for the next LF (a body is most of an SMTP session's bytes).
     */
    private int bodyBytes(final byte[] buffer, final int from, final int end)
    {
        int at = from;
        int state = bodyState;
        while (at < end)
        {
            if (state == BODY_MID)
            {
                at = ByteScan.indexOfLf(buffer, at, end);
                if (at == end)
                {
                    break;
                }
                at++;
                state = BODY_LINE_START;
                continue;
            }
            final byte b = buffer[at++];
            if (b == '\n' && (state == BODY_DOT || state == BODY_DOT_CR))
            {
                addDataBytes(at - from);
                bodyState = BODY_LINE_START;
                clientMode = MODE_LINE;
                clientLine.reset();
                push(Verb.DATA_END, openTx, 0);
                closeTx();
                return at;
            }
            if (state == BODY_LINE_START)
            {
                state = b == '.' ? BODY_DOT : b == '\r' || b == '\n' ? BODY_LINE_START : BODY_MID;
            }
            else
            {
                state = state == BODY_DOT && b == '\r' ? BODY_DOT_CR : BODY_MID;
                if (b == '\n')
                {
                    state = BODY_LINE_START;
                }
            }
        }
        bodyState = state;
        addDataBytes(end - from);
        return end;
    }

    private int chunkBytes(final int from, final int end)
    {
        final int take = (int)Math.min(bdatRemaining, end - from);
        bdatRemaining -= take;
        if (bdatRemaining == 0)
        {
            clientMode = MODE_LINE;
        }
        return from + take;
    }

    private void addDataBytes(final long count)
    {
        if (openTx >= 0)
        {
            txDataBytes[openTx] += count;
        }
    }

    // ------------------------------------------------------------------ commands

    private void command(final byte[] line, final int length)
    {
        commandSeen = true;
        // A client-only capture never sees the 334 challenge: a base64-shaped line that is no verb is taken
        // for the answer while AUTH is unresolved.
        if (authChallenge
            || (authPending && !server.seen && looksLikeBase64(line, length) && verbOf(line, length) == Verb.UNKNOWN))
        {
            authChallenge = false;
            count(Verb.AUTH_DATA);
            push(Verb.AUTH_DATA, TX_NONE, 0);
            return;
        }
        int verbEnd = 0;
        while (verbEnd < length && isLetter(line[verbEnd]))
        {
            verbEnd++;
        }
        if (verbEnd == 0 || (verbEnd < length && line[verbEnd] != ' ') || !printable(line, length))
        {
            anomaly(Anomaly.GARBAGE);
            count(Verb.UNKNOWN);
            push(Verb.UNKNOWN, openTx, 0);
            return;
        }
        final Verb verb = verbOf(line, verbEnd);
        count(verb);
        if (quitSent)
        {
            anomaly(Anomaly.AFTER_QUIT);
        }
        int arg = verbEnd;
        while (arg < length && line[arg] == ' ')
        {
            arg++;
        }
        switch (verb)
        {
            case EHLO:
            case HELO:
                closeTx();
                heloSeen = true;
                helo(line, arg, length);
                push(verb, TX_NONE, 0);
                break;
            case MAIL:
                mail(line, arg, length);
                break;
            case RCPT:
                rcpt(line, arg, length);
                break;
            case DATA:
                dataAttempts++;
                requireTransaction(verb);
                push(verb, openTx, 0);
                clientMode = MODE_DATA;
                bodyState = BODY_LINE_START;
                break;
            case BDAT:
                bdat(line, arg, length);
                break;
            case RSET:
            case QUIT:
                closeTx();
                quitSent |= verb == Verb.QUIT;
                push(verb, TX_NONE, 0);
                break;
            case STARTTLS:
                starttlsSent = true;
                push(verb, TX_NONE, 0);
                break;
            case AUTH:
                authAttempts++;
                authPending = true;
                push(verb, TX_NONE, 0);
                break;
            case UNKNOWN:
                anomaly(Anomaly.UNKNOWN_COMMAND);
                push(verb, openTx, 0);
                break;
            default:
                push(verb, openTx, 0);
                break;
        }
    }

    private void mail(final byte[] line, final int arg, final int length)
    {
        mailCommands++;
        if (!heloSeen)
        {
            anomaly(Anomaly.NO_HELO);
        }
        if (openTx != TX_NONE)
        {
            anomaly(Anomaly.NESTED_MAIL);
            closeTx();
        }
        final int start = afterKeyword(line, arg, length, 'F', 'R', 'O', 'M');
        if (start < 0)
        {
            anomaly(Anomaly.BAD_SYNTAX);
            push(Verb.MAIL, TX_NONE, 0);
            return;
        }
        final int addressEnd = addressEnd(line, start, length);
        final int addressStart = start < length && line[start] == '<' ? start + 1 : start;
        openTx(line, addressStart, addressEnd);
        push(Verb.MAIL, openTx, 0);
    }

    private void rcpt(final byte[] line, final int arg, final int length)
    {
        recipients++;
        requireTransaction(Verb.RCPT);
        final int start = afterKeyword(line, arg, length, 'T', 'O', ':', (byte)0);
        if (start < 0)
        {
            anomaly(Anomaly.BAD_SYNTAX);
        }
        else
        {
            final int addressEnd = addressEnd(line, start, length);
            final int addressStart = start < length && line[start] == '<' ? start + 1 : start;
            storeRecipient(line, addressStart, addressEnd);
        }
        if (openTx >= 0)
        {
            txRcptCount[openTx]++;
        }
        push(Verb.RCPT, openTx, 0);
    }

    private void bdat(final byte[] line, final int arg, final int length)
    {
        dataAttempts++;
        long size = 0;
        int at = arg;
        while (at < length && line[at] >= '0' && line[at] <= '9' && size <= Integer.MAX_VALUE * 16L)
        {
            size = size * 10 + (line[at++] - '0');
        }
        final boolean digits = at > arg;
        while (at < length && line[at] == ' ')
        {
            at++;
        }
        final boolean last = at + 4 == length && (line[at] | 0x20) == 'l' && (line[at + 1] | 0x20) == 'a'
            && (line[at + 2] | 0x20) == 's' && (line[at + 3] | 0x20) == 't';
        if (!digits || size > Integer.MAX_VALUE * 16L || (at < length && !last))
        {
            // Postfix answers 521 and closes; nothing follows that we could skip correctly.
            anomaly(Anomaly.BAD_BDAT);
            push(Verb.BDAT, openTx, 0);
            return;
        }
        requireTransaction(Verb.BDAT);
        final int tx = openTx;
        if (tx >= 0)
        {
            txDataBytes[tx] += size;
        }
        push(Verb.BDAT, tx, last ? FLAG_LAST : 0);
        if (last)
        {
            closeTx();
        }
        if (size > 0)
        {
            bdatRemaining = size;
            clientMode = MODE_BDAT;
        }
    }

    /** RCPT, DATA and BDAT belong to a transaction; one that arrives without MAIL opens an anonymous one. */
    private void requireTransaction(final Verb verb)
    {
        if (!heloSeen)
        {
            anomaly(Anomaly.NO_HELO);
        }
        if (openTx == TX_NONE)
        {
            anomaly(Anomaly.OUT_OF_ORDER);
            if (verb == Verb.RCPT)
            {
                openTx(null, 0, -1);
            }
        }
    }

    private void openTx(final byte[] line, final int from, final int to)
    {
        if (txCount == txMailOffset.length)
        {
            counters.caps[Cap.TRANSACTIONS.ordinal()]++;
            openTx = TX_UNLISTED;
            return;
        }
        final int tx = txCount++;
        txMailLength[tx] = -1;
        if (line != null)
        {
            final int stored = store(line, from, to);
            if (stored >= 0)
            {
                txMailOffset[tx] = stored;
                txMailLength[tx] = to - from;
            }
        }
        txRcptCount[tx] = 0;
        txRcptRejected[tx] = 0;
        txData[tx] = DATA_NONE;
        txDataBytes[tx] = 0;
        txReplyLength[tx] = -1;
        openTx = tx;
    }

    private void closeTx()
    {
        openTx = TX_NONE;
    }

    private void storeRecipient(final byte[] line, final int from, final int to)
    {
        if (rcptOffset == null)
        {
            rcptOffset = new int[limits.maxRecipients()];
            rcptLength = new int[limits.maxRecipients()];
            rcptTx = new int[limits.maxRecipients()];
        }
        if (rcptStored == rcptOffset.length)
        {
            counters.caps[Cap.RECIPIENTS.ordinal()]++;
            return;
        }
        final int stored = store(line, from, to);
        if (stored < 0)
        {
            counters.caps[Cap.RECIPIENTS.ordinal()]++;
            return;
        }
        rcptOffset[rcptStored] = stored;
        rcptLength[rcptStored] = to - from;
        rcptTx[rcptStored] = openTx;
        rcptStored++;
    }

    private void helo(final byte[] line, final int from, final int length)
    {
        int to = length;
        while (to > from && line[to - 1] == ' ')
        {
            to--;
        }
        to = Math.min(to, from + SmtpLimits.HELO_TEXT);
        // Each EHLO takes fresh arena space: a session that says EHLO many times runs its arena down and
        // then keeps the last name that fitted.
        final int stored = store(line, from, to);
        if (stored >= 0)
        {
            heloOffset = stored;
            heloLength = to - from;
        }
    }

    /**
     * Copies bytes into the arena; returns their offset, or -1 when the arena is full. The arena grows on
     * demand up to {@link SmtpLimits#addressBytes()} ({@link GrowingBytes}).
     */
    private int store(final byte[] line, final int from, final int to)
    {
        final int length = Math.max(0, to - from);
        if (arenaUsed + length > limits.addressBytes())
        {
            return -1;
        }
        arena = GrowingBytes.atLeast(arena, arenaUsed + length, limits.addressBytes());
        System.arraycopy(line, from, arena, arenaUsed, length);
        final int at = arenaUsed;
        arenaUsed += length;
        return at;
    }

    /** After "FROM:"/"TO:" (any case, spaces allowed after the colon); -1 when the keyword is missing. */
    private static int afterKeyword(
        final byte[] line, final int from, final int length, final char k0, final char k1, final char k2, final int k3)
    {
        final int keyLength = k3 == 0 ? 3 : 4;
        if (from + keyLength > length)
        {
            return -1;
        }
        if (upper(line[from]) != k0 || upper(line[from + 1]) != k1 || upper(line[from + 2]) != k2
            || (k3 != 0 && upper(line[from + 3]) != k3))
        {
            return -1;
        }
        int at = from + keyLength;
        if (k3 != 0)
        {
            if (at >= length || line[at] != ':')
            {
                return -1;
            }
            at++;
        }
        while (at < length && line[at] == ' ')
        {
            at++;
        }
        return at;
    }

    /** End of a path: the closing '>' when it starts with '<', else the first space (ESMTP parameters follow). */
    private static int addressEnd(final byte[] line, final int start, final int length)
    {
        if (start < length && line[start] == '<')
        {
            for (int i = start + 1; i < length; i++)
            {
                if (line[i] == '>')
                {
                    return i;
                }
            }
            return length;
        }
        for (int i = start; i < length; i++)
        {
            if (line[i] == ' ')
            {
                return i;
            }
        }
        return length;
    }

    private Verb verbOf(final byte[] line, final int length)
    {
        if (length == 4)
        {
            final int word = (upper(line[0]) << 24) | (upper(line[1]) << 16) | (upper(line[2]) << 8) | upper(line[3]);
            switch (word)
            {
                case 0x45484c4f: return Verb.EHLO;
                case 0x48454c4f: return Verb.HELO;
                case 0x4d41494c: return Verb.MAIL;
                case 0x52435054: return Verb.RCPT;
                case 0x44415441: return Verb.DATA;
                case 0x42444154: return Verb.BDAT;
                case 0x52534554: return Verb.RSET;
                case 0x51554954: return Verb.QUIT;
                case 0x4e4f4f50: return Verb.NOOP;
                case 0x56524659: return Verb.VRFY;
                case 0x4558504e: return Verb.EXPN;
                case 0x48454c50: return Verb.HELP;
                case 0x41555448: return Verb.AUTH;
                default: return Verb.UNKNOWN;
            }
        }
        if (length == 8 && upper(line[0]) == 'S' && upper(line[1]) == 'T' && upper(line[2]) == 'A'
            && upper(line[3]) == 'R' && upper(line[4]) == 'T' && upper(line[5]) == 'T' && upper(line[6]) == 'L'
            && upper(line[7]) == 'S')
        {
            return Verb.STARTTLS;
        }
        return Verb.UNKNOWN;
    }

    // ------------------------------------------------------------------ replies

    /** The server direction, a separate long-lived object so the two streams have their own callbacks. */
    private final class ServerSide implements Reassembler.Consumer
    {
        @Override
        public void onBytes(final byte[] buffer, final int offset, final int length)
        {
            int at = offset;
            final int end = offset + length;
            while (at < end && serverMode == MODE_LINE)
            {
                at = serverLineBytes(buffer, at, end);
            }
        }

        @Override
        public void onGap(final long missingBytes)
        {
            anomaly(Anomaly.GAP);
            serverLine.gap();
        }
    }

    private int serverLineBytes(final byte[] buffer, final int from, final int end)
    {
        if (serverLine.atCleanStart() && buffer[from] == 0x16)
        {
            tlsStarted();
            return end;
        }
        final int at = serverLine.append(buffer, from, end);
        lineOverflow(serverLine);
        if (serverLine.complete() && (!serverLine.resync || startsWithCode(serverLine.bytes, serverLine.length)))
        {
            replyLine(serverLine.bytes, serverLine.length);
        }
        return at;
    }

    private void lineOverflow(final LineBuffer line)
    {
        if (line.takeOverflow())
        {
            anomaly(Anomaly.LINE_TOO_LONG);
            counters.caps[Cap.LINE_LENGTH.ordinal()]++;
        }
    }

    private void replyLine(final byte[] line, final int length)
    {
        if (!startsWithCode(line, length))
        {
            anomaly(Anomaly.BAD_REPLY);
            return;
        }
        replySeen = true;
        final int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        final Verb answering = pendingCount > 0 ? verbs[pendingVerb[pendingHead]]
            : !commandSeen ? Verb.GREETING : Verb.UNKNOWN;
        if (code >= 400 && code < 600)
        {
            listener.onRejectLine(this, code, answering, line, length);
        }
        if (length > 3 && line[3] == '-')
        {
            return;
        }
        final int replyClass = code / 100;
        if (replyClass >= 2 && replyClass <= 5)
        {
            replies[replyClass - 2]++;
            counters.replies[replyClass - 1]++;
        }
        else
        {
            counters.replies[0]++;
            anomaly(Anomaly.BAD_REPLY);
        }
        if (replyCodeCount < MAX_REPLY_CODES)
        {
            replyCodes[replyCodeCount++] = code;
        }
        if (pendingCount > 1 && pendingVerb[pendingHead] == Verb.GREETING.ordinal() && replyClass == 2 && code != 220)
        {
            // A 250 cannot be a greeting: the capture missed the banner, so this answers the first command.
            pendingHead = (pendingHead + 1) % pendingVerb.length;
            pendingCount--;
        }
        final Verb verb;
        final int tx;
        final int flags;
        if (pendingCount > 0)
        {
            verb = verbs[pendingVerb[pendingHead]];
            tx = pendingTx[pendingHead];
            flags = pendingFlags[pendingHead];
            pendingHead = (pendingHead + 1) % pendingVerb.length;
            pendingCount--;
        }
        else
        {
            verb = answering;
            tx = TX_NONE;
            flags = 0;
            if (verb != Verb.GREETING && client.seen)
            {
                anomaly(Anomaly.UNSOLICITED_REPLY);
            }
        }
        answered(verb, tx, flags, code, line, length);
    }

    private void answered(final Verb verb, final int tx, final int flags, final int code, final byte[] line, final int length)
    {
        if (tx >= 0 && keepsText)
        {
            if (txReply == null)
            {
                txReply = new byte[txMailOffset.length * SmtpLimits.REPLY_TEXT];
            }
            final int copy = Math.min(length, SmtpLimits.REPLY_TEXT);
            System.arraycopy(line, 0, txReply, tx * SmtpLimits.REPLY_TEXT, copy);
            txReplyLength[tx] = copy;
        }
        final boolean refused = code >= 400;
        switch (verb)
        {
            case GREETING:
            case EHLO:
            case HELO:
            case MAIL:
                earlyRejection |= isRejection(code);
                break;
            case RCPT:
                earlyRejection |= isRejection(code) && !ReplyCodes.mailboxLevel(code, line, length);
                if (refused)
                {
                    recipientsRejected++;
                    if (code == 550 || code == 551 || code == 553)
                    {
                        recipientsUnknown++;
                    }
                    if (tx >= 0)
                    {
                        txRcptRejected[tx]++;
                    }
                }
                break;
            case DATA:
                if (code != 354)
                {
                    if (clientMode == MODE_DATA)
                    {
                        clientMode = MODE_LINE;
                        clientLine.reset();
                    }
                    if (refused && tx >= 0)
                    {
                        txData[tx] = DATA_REJECTED;
                    }
                }
                break;
            case DATA_END:
                dataOutcome(tx, code, true);
                break;
            case BDAT:
                if (refused || (flags & FLAG_LAST) != 0)
                {
                    dataOutcome(tx, code, (flags & FLAG_LAST) != 0);
                }
                break;
            case STARTTLS:
                if (code == 220)
                {
                    tlsStarted();
                }
                break;
            case AUTH:
            case AUTH_DATA:
                if (code == 334)
                {
                    authChallenge = true;
                }
                else
                {
                    authPending = false;
                    authChallenge = false;
                    if (refused)
                    {
                        authFailures++;
                    }
                }
                break;
            default:
                break;
        }
    }

    private void dataOutcome(final int tx, final int code, final boolean last)
    {
        final boolean ok = code >= 200 && code < 300;
        if (ok && last)
        {
            dataAccepted++;
        }
        if (tx >= 0 && (!ok || last))
        {
            txData[tx] = ok ? DATA_ACCEPTED : DATA_REJECTED;
        }
    }

    /** Codes that refuse the client itself rather than one mailbox: what the rejection-share detector counts. */
    private static boolean isRejection(final int code)
    {
        return code == 421 || code == 450 || code == 451 || code == 550 || code == 553 || code == 554;
    }

    private void tlsStarted()
    {
        if (tls == TlsState.NONE)
        {
            if (starttlsSent || !client.seen)
            {
                tls = commandSeen || replySeen ? TlsState.STARTTLS : TlsState.IMPLICIT;
            }
            else
            {
                anomaly(Anomaly.UNEXPECTED_TLS);
                tls = TlsState.IMPLICIT;
            }
        }
        clientMode = MODE_OPAQUE;
        serverMode = MODE_OPAQUE;
        pendingCount = 0;
    }

    // ------------------------------------------------------------------ helpers

    private void push(final Verb verb, final int tx, final int flags)
    {
        if (pendingCount == pendingVerb.length)
        {
            anomaly(Anomaly.PIPELINE_OVERFLOW);
            counters.caps[Cap.PIPELINE.ordinal()]++;
            return;
        }
        final int at = (pendingHead + pendingCount) % pendingVerb.length;
        pendingVerb[at] = verb.ordinal();
        pendingTx[at] = tx;
        pendingFlags[at] = flags;
        pendingCount++;
    }

    private void count(final Verb verb)
    {
        counters.commands[verb.ordinal()]++;
    }

    private void anomaly(final Anomaly kind)
    {
        anomalies[kind.ordinal()]++;
        counters.anomalies[kind.ordinal()]++;
    }

    /**
     * After a gap the first line may be the tail of one whose start was lost. It is parsed only when it
     * starts like a command (a known verb, then a space or the end), else dropped: resynchronisation at the
     * next line, without losing a command that happened to start right after the hole.
     */
    private boolean startsWithVerb(final byte[] line, final int length)
    {
        int verbEnd = 0;
        while (verbEnd < length && isLetter(line[verbEnd]))
        {
            verbEnd++;
        }
        return (verbEnd == length || line[verbEnd] == ' ') && verbOf(line, verbEnd) != Verb.UNKNOWN;
    }

    private static boolean startsWithCode(final byte[] line, final int length)
    {
        return length >= 3 && digit(line[0]) && digit(line[1]) && digit(line[2])
            && (length == 3 || line[3] == ' ' || line[3] == '-');
    }

    private static boolean isLetter(final byte b)
    {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    }

    private static boolean digit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private static int upper(final byte b)
    {
        return b >= 'a' && b <= 'z' ? b - 32 : b & 0xff;
    }

    /** Printable ASCII and tab; SMTPUTF8 addresses (bytes over 127) are allowed in arguments. */
    private static boolean printable(final byte[] line, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final int b = line[i] & 0xff;
            if (b < 0x20 && b != '\t' || b == 0x7f)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean looksLikeBase64(final byte[] line, final int length)
    {
        if (length == 0)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final byte b = line[i];
            if (!(isLetter(b) || digit(b) || b == '+' || b == '/' || b == '=' || b == '*'))
            {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ what the pattern analysers read

    // Read at session end, straight from the slot: the detectors and the sequential test need counts, the
    // HELO and recipient domains, not a SessionRecord. Building one (strings, lists, maps) was most of the
    // session-end cost, so it is only built when a session log asks for it.

    int recipients()
    {
        return recipients;
    }

    int recipientsRejected()
    {
        return recipientsRejected;
    }

    int recipientsUnknown()
    {
        return recipientsUnknown;
    }

    int dataAccepted()
    {
        return dataAccepted;
    }

    int dataAttempts()
    {
        return dataAttempts;
    }

    int authFailures()
    {
        return authFailures;
    }

    boolean earlyRejection()
    {
        return earlyRejection;
    }

    /** Final replies of every class. */
    int repliesTotal()
    {
        return replies[0] + replies[1] + replies[2] + replies[3];
    }

    int replyCodeCount()
    {
        return replyCodeCount;
    }

    int replyCode(final int i)
    {
        return replyCodes[i];
    }

    boolean hasHelo()
    {
        return heloLength >= 0;
    }

    /** The arena holding the HELO name (valid while {@link #hasHelo()}), for {@link HeloMemo}. */
    byte[] heloBytes()
    {
        return arena;
    }

    int heloOffset()
    {
        return heloOffset;
    }

    int heloLength()
    {
        return heloLength;
    }

    /**
     * Hashes of the distinct recipient domains among the itemised recipients, into {@code out} (which must
     * hold {@link SmtpLimits#maxRecipients()}); returns how many. The domain is what follows the last '@',
     * ASCII case folded, hashed with 64-bit FNV-1a: two domains colliding among the few thousand a host is
     * judged on is a one-in-10^12 event, and it could only under-count.
     */
    int recipientDomainHashes(final long[] out)
    {
        int count = 0;
        for (int r = 0; r < rcptStored; r++)
        {
            final int from = rcptOffset[r];
            final int to = from + rcptLength[r];
            int at = to - 1;
            while (at >= from && arena[at] != '@')
            {
                at--;
            }
            final long hash = foldedHash(arena, at < from ? to : at + 1, to);
            int seen = 0;
            while (seen < count && out[seen] != hash)
            {
                seen++;
            }
            if (seen == count)
            {
                out[count++] = hash;
            }
        }
        return count;
    }

    /** FNV-1a over ASCII-lower-cased bytes {@code [from, to)}. */
    static long foldedHash(final byte[] bytes, final int from, final int to)
    {
        long hash = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++)
        {
            final byte b = bytes[i];
            hash ^= (b >= 'A' && b <= 'Z' ? b + 32 : b & 0xff);
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    // ------------------------------------------------------------------ the record

    /** Builds the session's record; called once, when the session ends (allocation is fine here). */
    SessionRecord toRecord()
    {
        final List<SessionRecord.Transaction> transactions = new ArrayList<>(txCount);
        for (int tx = 0; tx < txCount; tx++)
        {
            final List<String> rcpt = new ArrayList<>();
            for (int r = 0; r < rcptStored; r++)
            {
                if (rcptTx[r] == tx)
                {
                    rcpt.add(text(arena, rcptOffset[r], rcptLength[r]));
                }
            }
            transactions.add(new SessionRecord.Transaction(
                txMailLength[tx] < 0 ? null : text(arena, txMailOffset[tx], txMailLength[tx]),
                rcpt,
                txRcptCount[tx],
                txRcptRejected[tx],
                DATA_TEXT[txData[tx]],
                txDataBytes[tx],
                txReplyLength[tx] < 0 ? null : text(txReply, tx * SmtpLimits.REPLY_TEXT, txReplyLength[tx])));
        }
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
            heloLength < 0 ? null : text(arena, heloOffset, heloLength),
            tls,
            authAttempts,
            authFailures,
            transactions,
            replies,
            anomalyCounts,
            client.seen,
            server.seen,
            client.bytes,
            server.bytes,
            endReason == null ? END_OF_INPUT : endReason,
            recipients,
            recipientsRejected,
            recipientsUnknown,
            dataAccepted,
            dataAttempts,
            mailCommands,
            earlyRejection,
            Arrays.copyOf(replyCodes, replyCodeCount),
            blocklistReply);
    }

    private static String text(final byte[] bytes, final int offset, final int length)
    {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
