package org.egress25.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What one session said: its HELO name, its mail transactions (sender, recipients, data outcome, last reply)
 * and the envelope counts the detectors read. Text lives in one byte arena per session slot; the arrays are
 * sized by {@link SmtpLimits} and kept with the slot, so filling them allocates nothing once a slot has
 * grown. Strings are only made by {@link #transactions()}, for the session record.
 */
final class TransactionLog
{
    /** The transaction's data phase: none yet, accepted, rejected. */
    static final int DATA_NONE = 0;
    static final int DATA_ACCEPTED = 1;
    static final int DATA_REJECTED = 2;
    private static final String[] DATA_TEXT = {"none", "accepted", "rejected"};

    private final SmtpLimits limits;
    private final SmtpCounters counters;
    private final boolean keepsText;

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
    private byte[] txReply;
    private final int[] txReplyLength;

    private int rcptStored;
    private int[] rcptOffset;
    private int[] rcptLength;
    private int[] rcptTx;

    private int recipients;
    private int recipientsRejected;
    private int recipientsUnknown;
    private int dataAccepted;
    private int dataAttempts;
    private int mailCommands;

    /** @param keepsText whether each transaction's reply text is kept (only its session record shows it) */
    TransactionLog(final SmtpLimits limits, final SmtpCounters counters, final boolean keepsText)
    {
        this.limits = limits;
        this.counters = counters;
        this.keepsText = keepsText;
        final int tx = limits.maxTransactions();
        txMailOffset = new int[tx];
        txMailLength = new int[tx];
        txRcptCount = new int[tx];
        txRcptRejected = new int[tx];
        txData = new int[tx];
        txDataBytes = new long[tx];
        txReplyLength = new int[tx];
    }

    void reset()
    {
        arenaUsed = 0;
        heloOffset = 0;
        heloLength = -1;
        openTx = Session.TX_NONE;
        txCount = 0;
        rcptStored = 0;
        recipients = 0;
        recipientsRejected = 0;
        recipientsUnknown = 0;
        dataAccepted = 0;
        dataAttempts = 0;
        mailCommands = 0;
    }

    /** The open transaction: an index, {@link Session#TX_NONE}, or {@link Session#TX_UNLISTED} past the limit. */
    int open()
    {
        return openTx;
    }

    /** Opens a transaction whose sender is {@code line[from, to)}, or anonymous when {@code line} is null. */
    void openTx(final byte[] line, final int from, final int to)
    {
        if (txCount == txMailOffset.length)
        {
            counters.caps[Cap.TRANSACTIONS.ordinal()]++;
            openTx = Session.TX_UNLISTED;
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

    void closeTx()
    {
        openTx = Session.TX_NONE;
    }

    void mailCommand()
    {
        mailCommands++;
    }

    void dataAttempt()
    {
        dataAttempts++;
    }

    /** A RCPT command, its address {@code line[from, to)} itemised while there is room, or null for none. */
    void recipient(final byte[] line, final int from, final int to)
    {
        recipients++;
        if (line != null)
        {
            storeRecipient(line, from, to);
        }
        if (openTx >= 0)
        {
            txRcptCount[openTx]++;
        }
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

    /** A RCPT answered {@code code} (4xx or 5xx). */
    void recipientRefused(final int tx, final int code)
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

    /** The last EHLO/HELO name, {@code line[from, to)}. */
    void helo(final byte[] line, final int from, final int to)
    {
        // Each EHLO takes fresh arena space: a session that says EHLO many times runs its arena down and
        // then keeps the last name that fitted.
        final int stored = store(line, from, to);
        if (stored >= 0)
        {
            heloOffset = stored;
            heloLength = to - from;
        }
    }

    void addDataBytes(final long count)
    {
        addDataBytes(openTx, count);
    }

    void addDataBytes(final int tx, final long count)
    {
        if (tx >= 0)
        {
            txDataBytes[tx] += count;
        }
    }

    void dataState(final int tx, final int state)
    {
        if (tx >= 0)
        {
            txData[tx] = state;
        }
    }

    /** A DATA body or BDAT chunk answered {@code code}; {@code last} when the message is complete. */
    void dataOutcome(final int tx, final int code, final boolean last)
    {
        final boolean ok = code >= 200 && code < 300;
        if (ok && last)
        {
            dataAccepted++;
        }
        if (!ok || last)
        {
            dataState(tx, ok ? DATA_ACCEPTED : DATA_REJECTED);
        }
    }

    /** Keeps the reply line as the transaction's last reply, when there is a session log to show it. */
    void reply(final int tx, final byte[] line, final int length)
    {
        if (tx < 0 || !keepsText)
        {
            return;
        }
        if (txReply == null)
        {
            txReply = new byte[txMailOffset.length * SmtpLimits.REPLY_TEXT];
        }
        final int copy = Math.min(length, SmtpLimits.REPLY_TEXT);
        System.arraycopy(line, 0, txReply, tx * SmtpLimits.REPLY_TEXT, copy);
        txReplyLength[tx] = copy;
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

    // ------------------------------------------------------------------ facts

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

    int mailCommands()
    {
        return mailCommands;
    }

    boolean hasHelo()
    {
        return heloLength >= 0;
    }

    byte[] arena()
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

    /** Bytes held now: the arena, the reply text and the recipient index, as grown so far. */
    long retainedBytes()
    {
        return (arena == null ? 0 : arena.length) + (txReply == null ? 0 : txReply.length)
            + (rcptOffset == null ? 0 : 3L * 4 * rcptOffset.length);
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

    String heloText()
    {
        return heloLength < 0 ? null : text(arena, heloOffset, heloLength);
    }

    /** The itemised transactions as the session record shows them (allocates; once per session). */
    List<SessionRecord.Transaction> transactions()
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
        return transactions;
    }

    private static String text(final byte[] bytes, final int offset, final int length)
    {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
