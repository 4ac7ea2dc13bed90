package org.egress25.decision;

import java.util.Map;

/**
 * The independent badness evidence a volume finding needs before it may block (rules/README.md,
 * "Evidence model: what may block").
 * A volume or fan-out threshold says a host sends a lot; a busy legitimate mail server does that too. Only
 * when the same host's dialogues also go badly (client-level refusals, blocklist replies, unknown users,
 * aborted dialogues) is the volume a spambot's. {@link #corroborates} is asked on the analysis thread for
 * every crossing, so it must not allocate; {@link #evidence} and {@link #missing} build the words of a
 * decision and are called only when one is made.
 */
public interface Corroboration
{
    /** Never corroborates: the safe default, under which volume alone only ever alerts. */
    Corroboration NONE = new Corroboration()
    {
        @Override
        public boolean corroborates(final long hi, final long lo, final long nowNanos)
        {
            return false;
        }

        @Override
        public Map<String, Object> evidence(final long hi, final long lo, final long nowNanos)
        {
            return Map.of();
        }

        @Override
        public String missing(final long hi, final long lo, final long nowNanos)
        {
            return "no dialogue evidence is gathered in this configuration";
        }
    };

    /** Whether the host's recent dialogues hold enough badness to back a volume finding. No allocation. */
    boolean corroborates(long hi, long lo, long nowNanos);

    /** The badness evidence as it stands, for a decision's {@code corroborated_by}. */
    Map<String, Object> evidence(long hi, long lo, long nowNanos);

    /** What is lacking for corroboration, in words, for an alert's {@code missing}. */
    String missing(long hi, long lo, long nowNanos);
}
