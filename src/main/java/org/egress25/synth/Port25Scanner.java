package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * A port scanner sweeping port 25 across consecutive addresses of random /16s, ~30 probes a second: mostly RST
 * back, a few open ports reset by the scanner after the SYN-ACK, a few silent. Never a byte of SMTP.
 */
final class Port25Scanner extends SimHost
{
    private static final long MEAN_GAP = 33_000;
    private byte[] sweep;
    private int position;

    Port25Scanner(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.PORT25_SCANNER, node, random, addressing, order, first);
    }

    @Override
    void step(final Context context)
    {
        if (sweep == null || position == 65_536)
        {
            sweep = addressing.outside(random, false).address;
            position = 1;
        }
        final byte[] address = sweep.clone();
        address[2] = (byte)(position >>> 8);
        address[3] = (byte)position;
        position++;
        final TcpSession session = open(context, Node.outside(address, random.nextInt(65_536)), 25, nextMicros);
        final int roll = random.nextInt(100);
        if (roll < 85)
        {
            session.refused();
        }
        else if (roll < 92)
        {
            session.probeAndReset();
        }
        else
        {
            session.unansweredOnce();
        }
        nextMicros += exponential(MEAN_GAP);
    }

    @Override
    String note()
    {
        return "port-25 scanner: ~30 SYNs/s across consecutive addresses, RST back, no SMTP dialogue";
    }
}
