package org.egress25.smtp;

/**
 * The commands of one session that await a reply, in the order sent: a ring of primitive entries, each a
 * verb, the transaction it belongs to, flags and how many equal commands in a row it stands for. The server
 * answers in order (RFC 2920), so every complete reply answers the head.
 *
 * <p>A command equal to the newest queued one (same verb, transaction and flags, as a pipelined run of RCPTs
 * is) only raises that entry's count, so a run of any length is attributed reply by reply. When the ring is
 * one entry from full, the entry that takes the last place absorbs every command that finds no room
 * ({@link #LOST}): those commands keep their place in the order, so the replies to the commands queued after
 * them are still matched right, and their own replies are known to answer a command that was not itemised.
 */
final class PendingReplies
{
    /** The command ends a BDAT message (BDAT ... LAST). */
    static final int LAST = 1;
    /** The entry stands for commands that found the ring full: their verbs are unknown. */
    static final int LOST = 2;

    private static final Verb[] VERBS = Verb.ALL;

    private final int[] verb;
    private final int[] tx;
    private final int[] flags;
    private final int[] repeat;
    private int head;
    private int count;

    PendingReplies(final int capacity)
    {
        verb = new int[capacity];
        tx = new int[capacity];
        flags = new int[capacity];
        repeat = new int[capacity];
    }

    void clear()
    {
        head = 0;
        count = 0;
    }

    boolean isEmpty()
    {
        return count == 0;
    }

    /** More than one entry waits (a greeting with a command behind it, for one). */
    boolean hasSecond()
    {
        return count > 1;
    }

    /**
     * Queues a command; returns false when the command could not be itemised (it took or joined the
     * {@link #LOST} entry, or a one-entry ring was full and it was dropped).
     */
    boolean push(final Verb v, final int transaction, final int flagBits)
    {
        if (count > 0)
        {
            final int tail = (head + count - 1) % verb.length;
            final boolean lostTail = (flags[tail] & LOST) != 0;
            if (lostTail || verb[tail] == v.ordinal() && tx[tail] == transaction && flags[tail] == flagBits)
            {
                repeat[tail]++;
                return !lostTail;
            }
        }
        if (count == verb.length)
        {
            return false; // a one-entry ring has no room for a place-keeping entry
        }
        final boolean last = count > 0 && count == verb.length - 1;
        final int at = (head + count) % verb.length;
        verb[at] = last ? Verb.UNKNOWN.ordinal() : v.ordinal();
        tx[at] = last ? Session.TX_NONE : transaction;
        flags[at] = last ? LOST : flagBits;
        repeat[at] = 1;
        count++;
        return !last;
    }

    /** The verb the next reply answers; the ring must not be empty. */
    Verb headVerb()
    {
        return VERBS[verb[head]];
    }

    int headTx()
    {
        return tx[head];
    }

    int headFlags()
    {
        return flags[head];
    }

    /** One reply answered the head entry: the next command of its run, or the next entry. */
    void pop()
    {
        if (--repeat[head] == 0)
        {
            head = (head + 1) % verb.length;
            count--;
        }
    }
}
