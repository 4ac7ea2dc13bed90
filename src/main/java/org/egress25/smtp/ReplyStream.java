package org.egress25.smtp;

import static org.egress25.smtp.SmtpSyntax.startsWithCode;

/**
 * The server direction of one session: reply lines framed, each complete reply (the last line of a
 * {@code 250-...} group) matched to the command it answers at the head of the {@link PendingReplies}, and
 * its meaning applied: recipients refused, data accepted or not, AUTH failures, STARTTLS, and the reply
 * counts the detectors read. The greeting is a pseudo-command queued when the client's SYN is seen.
 */
final class ReplyStream extends LineStream
{
    private static final int MAX_REPLY_CODES = 64;

    private final PendingReplies pending;
    private final CommandStream commands;
    private final TransactionLog log;
    private final SmtpCounters counters;
    private final Session.Listener listener;
    private boolean opaque;
    private boolean replySeen;

    /** Final replies by class: 2xx, 3xx, 4xx, 5xx. */
    private final int[] replies = new int[4];
    private final int[] replyCodes = new int[MAX_REPLY_CODES];
    private int replyCodeCount;
    private int authFailures;
    private boolean earlyRejection;

    ReplyStream(final Session session, final PendingReplies pending, final CommandStream commands,
        final TransactionLog log, final SmtpCounters counters, final Session.Listener listener, final int maxLineLength)
    {
        super(session, maxLineLength);
        this.pending = pending;
        this.commands = commands;
        this.log = log;
        this.counters = counters;
        this.listener = listener;
    }

    void reset(final boolean opaqueFromStart)
    {
        opaque = opaqueFromStart;
        line.reset();
        replySeen = false;
        replies[0] = 0;
        replies[1] = 0;
        replies[2] = 0;
        replies[3] = 0;
        replyCodeCount = 0;
        authFailures = 0;
        earlyRejection = false;
    }

    /** Nothing the server sends is parsed any more (TLS started). */
    void opaque()
    {
        opaque = true;
    }

    boolean replySeen()
    {
        return replySeen;
    }

    int[] replies()
    {
        return replies;
    }

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

    int[] replyCodesCopy()
    {
        return java.util.Arrays.copyOf(replyCodes, replyCodeCount);
    }

    int authFailures()
    {
        return authFailures;
    }

    boolean earlyRejection()
    {
        return earlyRejection;
    }

    // ------------------------------------------------------------------ framing

    @Override
    public void onBytes(final byte[] buffer, final int offset, final int length)
    {
        int at = offset;
        final int end = offset + length;
        while (at < end && !opaque)
        {
            at = lineBytes(buffer, at, end);
        }
    }

    @Override
    public void onGap(final long missingBytes)
    {
        session.anomaly(Anomaly.GAP);
        line.gap();
    }

    @Override
    boolean startsRight(final byte[] text, final int length)
    {
        return startsWithCode(text, length);
    }

    // ------------------------------------------------------------------ matching

    @Override
    void onLine(final byte[] text, final int length)
    {
        if (!startsWithCode(text, length))
        {
            session.anomaly(Anomaly.BAD_REPLY);
            return;
        }
        replySeen = true;
        final int code = (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
        final Verb answering = !pending.isEmpty() ? pending.headVerb()
            : !commands.commandSeen() ? Verb.GREETING : Verb.UNKNOWN;
        if (code >= 400 && code < 600)
        {
            listener.onRejectLine(session, code, answering, text, length);
        }
        if (length > 3 && text[3] == '-')
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
            session.anomaly(Anomaly.BAD_REPLY);
        }
        if (replyCodeCount < MAX_REPLY_CODES)
        {
            replyCodes[replyCodeCount++] = code;
        }
        if (pending.hasSecond() && pending.headVerb() == Verb.GREETING && replyClass == 2 && code != 220)
        {
            // A 250 cannot be a greeting: the capture missed the banner, so this answers the first command.
            pending.pop();
        }
        final Verb verb;
        final int tx;
        final int flags;
        if (!pending.isEmpty())
        {
            verb = pending.headVerb();
            tx = pending.headTx();
            flags = pending.headFlags();
            pending.pop();
        }
        else
        {
            verb = answering;
            tx = Session.TX_NONE;
            flags = 0;
            if (verb != Verb.GREETING && session.clientSeen())
            {
                session.anomaly(Anomaly.UNSOLICITED_REPLY);
            }
        }
        if ((flags & PendingReplies.LOST) != 0)
        {
            session.anomaly(Anomaly.UNATTRIBUTED_REPLY);
            earlyRejection |= isRejection(code);
            return;
        }
        answered(verb, tx, flags, code, text, length);
    }

    // ------------------------------------------------------------------ meaning

    private void answered(final Verb verb, final int tx, final int flags, final int code, final byte[] text,
        final int length)
    {
        log.reply(tx, text, length);
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
                earlyRejection |= isRejection(code) && !ReplyCodes.mailboxLevel(code, text, length);
                if (refused)
                {
                    log.recipientRefused(tx, code);
                }
                break;
            case DATA:
                if (code != 354)
                {
                    commands.dataRefused();
                    if (refused)
                    {
                        log.dataState(tx, TransactionLog.DATA_REJECTED);
                    }
                }
                break;
            case DATA_END:
                log.dataOutcome(tx, code, true);
                break;
            case BDAT:
                final boolean last = (flags & PendingReplies.LAST) != 0;
                if (refused || last)
                {
                    log.dataOutcome(tx, code, last);
                }
                break;
            case STARTTLS:
                if (code == 220)
                {
                    session.tlsStarted();
                }
                break;
            case AUTH:
            case AUTH_DATA:
                if (code == 334)
                {
                    commands.authChallenged();
                }
                else
                {
                    commands.authDone();
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

    /** Codes that refuse the client itself rather than one mailbox: what the rejection-share detector counts. */
    private static boolean isRejection(final int code)
    {
        return code == 421 || code == 450 || code == 451 || code == 550 || code == 553 || code == 554;
    }
}
