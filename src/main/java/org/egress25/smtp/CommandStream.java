package org.egress25.smtp;

import static org.egress25.smtp.SmtpSyntax.addressEnd;
import static org.egress25.smtp.SmtpSyntax.afterKeyword;
import static org.egress25.smtp.SmtpSyntax.isLetter;
import static org.egress25.smtp.SmtpSyntax.looksLikeBase64;
import static org.egress25.smtp.SmtpSyntax.printable;
import static org.egress25.smtp.SmtpSyntax.startsWithVerb;
import static org.egress25.smtp.SmtpSyntax.verbOf;

/**
 * The client direction of one session, in order: framing first (which bytes are command lines, a DATA body,
 * a BDAT chunk or opaque TLS: {@link Mode}), then the meaning of each complete command line, which goes into
 * the {@link TransactionLog} and, when it expects a reply, into the session's {@link PendingReplies}.
 *
 * <p>DATA switches to body mode at once, without waiting for 354: pipelining clients send the body right
 * behind DATA, and a client-only capture never sees the 354. If the server then refuses DATA, the reply
 * arrives before the client's next line (the client waited for it), and {@link #dataRefused()} goes back to
 * commands.
 */
final class CommandStream extends LineStream
{
    /** What the client's next bytes are. */
    enum Mode
    {
        /** CRLF-terminated command lines. */
        COMMANDS,
        /** A DATA body, skipped up to its terminating CRLF.CRLF and counted. */
        DATA_BODY,
        /** A BDAT chunk of a known size, skipped. */
        BDAT_CHUNK,
        /** TLS or anything else unreadable: counted, never parsed. */
        OPAQUE
    }

    /** Body scanner states for the CRLF.CRLF terminator; a bare LF is accepted as a line end too. */
    private static final int BODY_MID = 0;
    private static final int BODY_LINE_START = 1;
    private static final int BODY_DOT = 2;
    private static final int BODY_DOT_CR = 3;

    private final TransactionLog log;
    private final SmtpCounters counters;
    private Mode mode;
    private int bodyState;
    private long bdatRemaining;
    private boolean quitSent;
    private boolean heloSeen;
    private boolean starttlsSent;
    private boolean authPending;
    private boolean authChallenge;
    private boolean commandSeen;
    private int authAttempts;

    CommandStream(final Session session, final TransactionLog log, final SmtpCounters counters, final int maxLineLength)
    {
        super(session, maxLineLength);
        this.log = log;
        this.counters = counters;
    }

    void reset(final boolean opaque)
    {
        mode = opaque ? Mode.OPAQUE : Mode.COMMANDS;
        line.reset();
        bodyState = BODY_LINE_START;
        bdatRemaining = 0;
        quitSent = false;
        heloSeen = false;
        starttlsSent = false;
        authPending = false;
        authChallenge = false;
        commandSeen = false;
        authAttempts = 0;
    }

    boolean quitSent()
    {
        return quitSent;
    }

    boolean starttlsSent()
    {
        return starttlsSent;
    }

    boolean commandSeen()
    {
        return commandSeen;
    }

    int authAttempts()
    {
        return authAttempts;
    }

    /** Nothing the client sends is parsed any more (TLS started). */
    void opaque()
    {
        mode = Mode.OPAQUE;
    }

    /** The server refused DATA: the client did not send a body after all. */
    void dataRefused()
    {
        if (mode == Mode.DATA_BODY)
        {
            mode = Mode.COMMANDS;
            line.reset();
        }
    }

    /** The server sent a 334 challenge: the client's next line is the AUTH answer. */
    void authChallenged()
    {
        authChallenge = true;
    }

    /** The AUTH exchange ended (any reply but 334). */
    void authDone()
    {
        authPending = false;
        authChallenge = false;
    }

    // ------------------------------------------------------------------ framing

    @Override
    public void onBytes(final byte[] buffer, final int offset, final int length)
    {
        int at = offset;
        final int end = offset + length;
        while (at < end)
        {
            switch (mode)
            {
                case COMMANDS:
                    at = lineBytes(buffer, at, end);
                    break;
                case DATA_BODY:
                    at = bodyBytes(buffer, at, end);
                    break;
                case BDAT_CHUNK:
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
        session.anomaly(Anomaly.GAP);
        switch (mode)
        {
            case COMMANDS:
                line.gap();
                break;
            case DATA_BODY:
                log.addDataBytes(missingBytes);
                bodyState = BODY_MID;
                break;
            case BDAT_CHUNK:
                final long skipped = Math.min(missingBytes, bdatRemaining);
                bdatRemaining -= skipped;
                if (bdatRemaining == 0)
                {
                    mode = Mode.COMMANDS;
                    line.reset();
                    line.resync = missingBytes > skipped;
                }
                break;
            default:
                break;
        }
    }

    @Override
    boolean startsRight(final byte[] text, final int length)
    {
        return startsWithVerb(text, length);
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
                log.addDataBytes(at - from);
                bodyState = BODY_LINE_START;
                mode = Mode.COMMANDS;
                line.reset();
                session.expect(Verb.DATA_END, log.open(), 0);
                log.closeTx();
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
        log.addDataBytes(end - from);
        return end;
    }

    private int chunkBytes(final int from, final int end)
    {
        final int take = (int)Math.min(bdatRemaining, end - from);
        bdatRemaining -= take;
        if (bdatRemaining == 0)
        {
            mode = Mode.COMMANDS;
        }
        return from + take;
    }

    // ------------------------------------------------------------------ meaning

    @Override
    void onLine(final byte[] text, final int length)
    {
        commandSeen = true;
        // A client-only capture never sees the 334 challenge: a base64-shaped line that is no verb is taken
        // for the answer while AUTH is unresolved.
        if (authChallenge || (authPending && !session.serverSeen() && looksLikeBase64(text, length)
            && verbOf(text, length) == Verb.UNKNOWN))
        {
            authChallenge = false;
            count(Verb.AUTH_DATA);
            session.expect(Verb.AUTH_DATA, Session.TX_NONE, 0);
            return;
        }
        int verbEnd = 0;
        while (verbEnd < length && isLetter(text[verbEnd]))
        {
            verbEnd++;
        }
        if (verbEnd == 0 || (verbEnd < length && text[verbEnd] != ' ') || !printable(text, length))
        {
            session.anomaly(Anomaly.GARBAGE);
            count(Verb.UNKNOWN);
            session.expect(Verb.UNKNOWN, log.open(), 0);
            return;
        }
        final Verb verb = verbOf(text, verbEnd);
        count(verb);
        if (quitSent)
        {
            session.anomaly(Anomaly.AFTER_QUIT);
        }
        int arg = verbEnd;
        while (arg < length && text[arg] == ' ')
        {
            arg++;
        }
        switch (verb)
        {
            case EHLO:
            case HELO:
                log.closeTx();
                heloSeen = true;
                helo(text, arg, length);
                session.expect(verb, Session.TX_NONE, 0);
                break;
            case MAIL:
                mail(text, arg, length);
                break;
            case RCPT:
                rcpt(text, arg, length);
                break;
            case DATA:
                log.dataAttempt();
                requireTransaction(verb);
                session.expect(verb, log.open(), 0);
                mode = Mode.DATA_BODY;
                bodyState = BODY_LINE_START;
                break;
            case BDAT:
                bdat(text, arg, length);
                break;
            case RSET:
            case QUIT:
                log.closeTx();
                quitSent |= verb == Verb.QUIT;
                session.expect(verb, Session.TX_NONE, 0);
                break;
            case STARTTLS:
                starttlsSent = true;
                session.expect(verb, Session.TX_NONE, 0);
                break;
            case AUTH:
                authAttempts++;
                authPending = true;
                session.expect(verb, Session.TX_NONE, 0);
                break;
            case UNKNOWN:
                session.anomaly(Anomaly.UNKNOWN_COMMAND);
                session.expect(verb, log.open(), 0);
                break;
            default:
                session.expect(verb, log.open(), 0);
                break;
        }
    }

    private void mail(final byte[] text, final int arg, final int length)
    {
        log.mailCommand();
        if (!heloSeen)
        {
            session.anomaly(Anomaly.NO_HELO);
        }
        if (log.open() != Session.TX_NONE)
        {
            session.anomaly(Anomaly.NESTED_MAIL);
            log.closeTx();
        }
        final int start = afterKeyword(text, arg, length, 'F', 'R', 'O', 'M');
        if (start < 0)
        {
            session.anomaly(Anomaly.BAD_SYNTAX);
            session.expect(Verb.MAIL, Session.TX_NONE, 0);
            return;
        }
        final int addressEnd = addressEnd(text, start, length);
        final int addressStart = start < length && text[start] == '<' ? start + 1 : start;
        log.openTx(text, addressStart, addressEnd);
        session.expect(Verb.MAIL, log.open(), 0);
    }

    private void rcpt(final byte[] text, final int arg, final int length)
    {
        requireTransaction(Verb.RCPT);
        final int start = afterKeyword(text, arg, length, 'T', 'O', ':', (byte)0);
        if (start < 0)
        {
            session.anomaly(Anomaly.BAD_SYNTAX);
            log.recipient(null, 0, 0);
        }
        else
        {
            final int addressEnd = addressEnd(text, start, length);
            final int addressStart = start < length && text[start] == '<' ? start + 1 : start;
            log.recipient(text, addressStart, addressEnd);
        }
        session.expect(Verb.RCPT, log.open(), 0);
    }

    private void bdat(final byte[] text, final int arg, final int length)
    {
        log.dataAttempt();
        long size = 0;
        int at = arg;
        while (at < length && text[at] >= '0' && text[at] <= '9' && size <= Integer.MAX_VALUE * 16L)
        {
            size = size * 10 + (text[at++] - '0');
        }
        final boolean digits = at > arg;
        while (at < length && text[at] == ' ')
        {
            at++;
        }
        final boolean last = at + 4 == length && (text[at] | 0x20) == 'l' && (text[at + 1] | 0x20) == 'a'
            && (text[at + 2] | 0x20) == 's' && (text[at + 3] | 0x20) == 't';
        if (!digits || size > Integer.MAX_VALUE * 16L || (at < length && !last))
        {
            // Postfix answers 521 and closes; nothing follows that we could skip correctly.
            session.anomaly(Anomaly.BAD_BDAT);
            session.expect(Verb.BDAT, log.open(), 0);
            return;
        }
        requireTransaction(Verb.BDAT);
        final int tx = log.open();
        log.addDataBytes(tx, size);
        session.expect(Verb.BDAT, tx, last ? PendingReplies.LAST : 0);
        if (last)
        {
            log.closeTx();
        }
        if (size > 0)
        {
            bdatRemaining = size;
            mode = Mode.BDAT_CHUNK;
        }
    }

    /** RCPT, DATA and BDAT belong to a transaction; one that arrives without MAIL opens an anonymous one. */
    private void requireTransaction(final Verb verb)
    {
        if (!heloSeen)
        {
            session.anomaly(Anomaly.NO_HELO);
        }
        if (log.open() == Session.TX_NONE)
        {
            session.anomaly(Anomaly.OUT_OF_ORDER);
            if (verb == Verb.RCPT)
            {
                log.openTx(null, 0, -1);
            }
        }
    }

    private void helo(final byte[] text, final int from, final int length)
    {
        int to = length;
        while (to > from && text[to - 1] == ' ')
        {
            to--;
        }
        log.helo(text, from, Math.min(to, from + SmtpLimits.HELO_TEXT));
    }

    private void count(final Verb verb)
    {
        counters.commands[verb.ordinal()]++;
    }
}
