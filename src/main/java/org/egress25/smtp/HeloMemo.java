package org.egress25.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * {@link HeloCheck} findings remembered per (HELO name, host), so a host that says the same name in every
 * session is judged once, not once per session: judging builds the name as a String, a lower-case copy and a
 * list, and it runs for every session that delivered mail (the sequential test asks whether its HELO was
 * sane) as well as for the HELO detector.
 *
 * <p>Direct-mapped, {@value #SLOTS} slots: a collision only costs a fresh judgement. The memo is dropped when
 * the provider-domain list changes (a rule reload), since findings depend on it. Analysis thread only.
 */
final class HeloMemo
{
    private static final int SLOTS = 4096;

    /** One judged name. */
    static final class Judgement
    {
        final byte[] bytes;
        final long hi;
        final long lo;
        /** The name as sent. */
        final String helo;
        /** Hash of the name, ASCII case folded: "distinct HELO names" counts these. */
        final long lowerHash;
        /** {@link HeloCheck#problems} of the name from this host; empty when it looks proper. */
        final List<String> problems;

        Judgement(final byte[] bytes, final long lowerHash, final long hi, final long lo, final List<String> providers)
        {
            this.bytes = bytes;
            this.hi = hi;
            this.lo = lo;
            this.helo = new String(bytes, StandardCharsets.UTF_8);
            this.lowerHash = lowerHash;
            this.problems = List.copyOf(HeloCheck.problems(helo, hi, lo, providers));
        }

        boolean matches(final byte[] arena, final int offset, final int length, final long hostHi, final long hostLo)
        {
            return hi == hostHi && lo == hostLo
                && Arrays.equals(bytes, 0, bytes.length, arena, offset, offset + length);
        }
    }

    private final Judgement[] slots = new Judgement[SLOTS];
    private List<String> providersFor;

    /** The judgement of the session's HELO name; the session must have one ({@link Session#hasHelo()}). */
    Judgement judge(final Session s, final List<String> providers)
    {
        if (providers != providersFor)
        {
            Arrays.fill(slots, null);
            providersFor = providers;
        }
        final byte[] arena = s.heloBytes();
        final int offset = s.heloOffset();
        final int length = s.heloLength();
        final long nameHash = Session.foldedHash(arena, offset, offset + length);
        final int slot = (int)mix(nameHash ^ s.clientHi() * 31 ^ s.clientLo()) & (SLOTS - 1);
        final Judgement cached = slots[slot];
        if (cached != null && cached.matches(arena, offset, length, s.clientHi(), s.clientLo()))
        {
            return cached;
        }
        final Judgement fresh = new Judgement(
            Arrays.copyOfRange(arena, offset, offset + length), nameHash, s.clientHi(), s.clientLo(), providers);
        slots[slot] = fresh;
        return fresh;
    }

    private static long mix(final long x)
    {
        final long h = x * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
