package org.egress25.synth;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated inside host: a stream of activities in time. The generator calls {@link #step} when the
 * host's {@link #nextMicros} comes up; the host emits a whole activity (a session, a burst of SYNs) stamped at
 * or after that time, then sets when its next one starts. Every random choice comes from the host's own
 * generator, split off the run's seed in creation order, so a seed replays byte for byte.
 */
abstract class SimHost
{
    static final long SECOND = 1_000_000L;
    static final long MINUTE = 60 * SECOND;
    /** {@link #nextMicros} of a host that has nothing more to do. */
    static final long DONE = Long.MAX_VALUE;

    final HostKind kind;
    final Node node;
    final SplittableRandom random;
    final Addressing addressing;
    /** Tie-breaker among hosts due in the same microsecond: creation order. */
    final int order;
    /** When the host's first activity starts: where an abuser's time to block is measured from. */
    final long firstMicros;
    long nextMicros;

    SimHost(final HostKind kind, final Node node, final SplittableRandom random, final Addressing addressing,
        final int order, final long firstMicros)
    {
        this.kind = kind;
        this.node = node;
        this.random = random;
        this.addressing = addressing;
        this.order = order;
        this.nextMicros = firstMicros;
        this.firstMicros = firstMicros;
    }

    /** Emits the activity due at {@link #nextMicros} and moves it on (never backwards). */
    abstract void step(Context context);

    /** What this host does, for the label; rates in the note. */
    abstract String note();

    void labels(final List<Label> out)
    {
        out.add(new Label(node.text(), kind.label(), kind.expectedVerdict(), note(), abuseFrom()));
    }

    /** For an abuser, when its abuse starts (its first activity unless it says otherwise); null when clean. */
    String abuseFrom()
    {
        return kind.isAbusive() ? micros(firstMicros) : null;
    }

    /** Capture time in microseconds as ISO-8601, for labels. */
    static String micros(final long micros)
    {
        return java.time.Instant.ofEpochSecond(micros / 1_000_000L, (micros % 1_000_000L) * 1_000L).toString();
    }

    /** Exponentially distributed gap with the given mean: a Poisson process of activities. */
    long exponential(final long meanMicros)
    {
        return 1 + (long)(-Math.log(1.0 - random.nextDouble()) * meanMicros);
    }

    /** A round trip between 8 and 120 ms, typical of European to transatlantic mail hosts. */
    int rtt()
    {
        return 8_000 + random.nextInt(112_000);
    }

    TcpSession open(final Context context, final Node server, final int port, final long startMicros)
    {
        return new TcpSession(context, random, node, node.nextPort(), server, port, startMicros, rtt());
    }

    /** A destination mail server: its domain, MX name and address. */
    record Mx(String domain, String name, Node node)
    {
        static Mx random(final SplittableRandom random, final Addressing addressing, final boolean v6)
        {
            final String domain = Names.domain(random);
            return new Mx(domain, Names.mxHost(random, domain), addressing.outside(random, v6));
        }
    }
}
