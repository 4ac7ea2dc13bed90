package org.egress25.smtp;

/**
 * The lexical rules of SMTP lines (RFC 5321 4.1): verbs, reply codes, the FROM:/TO: keywords and paths, and
 * the byte classes they are made of. Pure functions over a line's bytes, shared by both directions.
 */
final class SmtpSyntax
{
    private SmtpSyntax()
    {
    }

    /**
     * After a gap the first line may be the tail of one whose start was lost. It is parsed only when it
     * starts like a command (a known verb, then a space or the end), else dropped: resynchronisation at the
     * next line, without losing a command that happened to start right after the hole.
     */
    static boolean startsWithVerb(final byte[] line, final int length)
    {
        int verbEnd = 0;
        while (verbEnd < length && isLetter(line[verbEnd]))
        {
            verbEnd++;
        }
        return (verbEnd == length || line[verbEnd] == ' ') && verbOf(line, verbEnd) != Verb.UNKNOWN;
    }

    static boolean startsWithCode(final byte[] line, final int length)
    {
        return length >= 3 && digit(line[0]) && digit(line[1]) && digit(line[2])
            && (length == 3 || line[3] == ' ' || line[3] == '-');
    }

    static boolean isLetter(final byte b)
    {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
    }

    static boolean digit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    static int upper(final byte b)
    {
        return b >= 'a' && b <= 'z' ? b - 32 : b & 0xff;
    }

    /** Printable ASCII and tab; SMTPUTF8 addresses (bytes over 127) are allowed in arguments. */
    static boolean printable(final byte[] line, final int length)
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

    static boolean looksLikeBase64(final byte[] line, final int length)
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

    /** After "FROM:"/"TO:" (any case, spaces allowed after the colon); -1 when the keyword is missing. */
    static int afterKeyword(
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
    static int addressEnd(final byte[] line, final int start, final int length)
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

    static Verb verbOf(final byte[] line, final int length)
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
}
