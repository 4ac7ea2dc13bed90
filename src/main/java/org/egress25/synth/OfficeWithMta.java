package org.egress25.synth;

import java.util.SplittableRandom;

/**
 * An office on a business line behind NAT: its on-premises mail server relays ~40 messages an hour on 25,
 * and ~40 staff laptops submit to outside providers on 587 (a mail every ~40 s in all), through the same
 * address. Busy on both port groups, and clean.
 */
final class OfficeWithMta extends BusyBusinessMta
{
    private final Mx[] providers = new Mx[3];

    OfficeWithMta(final Node node, final SplittableRandom random, final Addressing addressing, final int order,
        final long first)
    {
        super(HostKind.OFFICE_WITH_MTA, node, random, addressing, order, first);
        for (int i = 0; i < providers.length; i++)
        {
            providers[i] = Mx.random(random, addressing, false);
        }
    }

    @Override
    void step(final Context context)
    {
        final long end = random.nextBoolean()
            ? cleanDelivery(context, nextMicros)
            : SubmissionUser.submit(context, this, providers[random.nextInt(providers.length)],
                "LAPTOP-" + Names.randomLetters(random, 6).toUpperCase(java.util.Locale.ROOT), nextMicros);
        nextMicros = Math.max(end, nextMicros) + exponential(45 * SECOND);
    }

    @Override
    String note()
    {
        return "office behind NAT on a business line: on-premises MTA " + helo + " relaying on 25 and ~40 laptops"
            + " submitting on 587, a session every ~45 s in all";
    }
}
