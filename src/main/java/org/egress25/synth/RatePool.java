package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * Many hosts played as one schedule that spends a packet budget at an even rate over the run: after each
 * flow the pool waits (on average) as long as those packets are worth at the target rate, so "4 M background
 * packets over 160 s" comes out near 25,000 packets/s whatever the flows' sizes. Members are picked round-robin
 * until each has been used once, then with a Zipf-like skew (member {@code n * u^3}), so a few hosts are heavy
 * and most are light, as on a real network.
 */
abstract class RatePool extends SimHost
{
    private final int members;
    private final long budget;
    private final double microsPerPacket;
    private long spent;
    private int roundRobin;

    RatePool(final HostKind kind, final Node first, final SplittableRandom random, final Addressing addressing,
        final int order, final long firstMicros, final int members, final long budget, final long durationMicros)
    {
        super(kind, first, random, addressing, order, firstMicros);
        this.members = members;
        this.budget = budget;
        this.microsPerPacket = budget == 0 ? 0 : (double)durationMicros / budget;
        if (budget <= 0)
        {
            nextMicros = DONE;
        }
    }

    /** Plays one flow of member {@code index} starting at {@code micros}; returns its end time. */
    abstract long flow(Context context, int index, long micros);

    @Override
    final void step(final Context context)
    {
        final int index;
        if (roundRobin < members)
        {
            index = roundRobin++;
        }
        else
        {
            final double u = random.nextDouble();
            index = (int)(members * u * u * u);
        }
        final long before = context.wire.emitted();
        flow(context, index, nextMicros);
        final long produced = context.wire.emitted() - before;
        spent += produced;
        if (spent >= budget)
        {
            nextMicros = DONE;
            return;
        }
        nextMicros += exponential(Math.max(1, (long)(produced * microsPerPacket)));
    }

    /** Pool of browsing hosts: web, DNS and QUIC only. */
    static final class Browsing extends RatePool
    {
        private final Node[] nodes;

        Browsing(final Node[] nodes, final SplittableRandom random, final Addressing addressing, final int order,
            final long firstMicros, final long budget, final long durationMicros)
        {
            super(HostKind.BACKGROUND, nodes[0], random, addressing, order, firstMicros, nodes.length, budget,
                durationMicros);
            this.nodes = nodes;
        }

        @Override
        long flow(final Context context, final int index, final long micros)
        {
            return random.nextBoolean()
                ? Web.lookup(context, random, addressing, nodes[index], micros)
                : Web.visit(context, random, addressing, nodes[index], micros);
        }

        @Override
        void labels(final java.util.List<Label> out)
        {
            for (final Node node : nodes)
            {
                out.add(new Label(node.text(), kind.label(), kind.expectedVerdict(), note()));
            }
        }

        @Override
        String note()
        {
            return "background pool host: web, DNS and QUIC";
        }
    }

    /**
     * Pool of legitimate mail hosts for the benchmark capture: plain relay sessions on 25 (half of them pipelined),
     * STARTTLS submission on 587 and implicit TLS on 465, in the ratio 2:1:1.
     */
    static final class Mail extends RatePool
    {
        private final SmallMta[] hosts;

        Mail(final SmallMta[] hosts, final SplittableRandom random, final Addressing addressing, final int order,
            final long firstMicros, final long budget, final long durationMicros)
        {
            super(HostKind.SMALL_MTA, hosts[0].node, random, addressing, order, firstMicros, hosts.length, budget,
                durationMicros);
            this.hosts = hosts;
        }

        @Override
        long flow(final Context context, final int index, final long micros)
        {
            final SmallMta host = hosts[index];
            final Mx mx = host.destinations()[host.random.nextInt(host.destinations().length)];
            switch (random.nextInt(4))
            {
                case 0:
                    return SubmissionUser.submit(context, host, mx, host.helo(), micros);
                case 1:
                    return ImplicitTlsUser.submit(context, host, mx, micros);
                default:
                    return SmallMta.deliver(context, host, mx, host.helo(), host.domain(), micros,
                        1 + host.random.nextInt(3), random.nextBoolean(), false);
            }
        }

        @Override
        void labels(final java.util.List<Label> out)
        {
            for (final SmallMta host : hosts)
            {
                host.labels(out);
            }
        }

        @Override
        String note()
        {
            return "mail pool";
        }
    }
}
