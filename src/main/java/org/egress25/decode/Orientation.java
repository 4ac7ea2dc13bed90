package org.egress25.decode;

import org.egress25.event.PacketEvent;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;

/**
 * Orients a decoded segment under a policy: {@code DIR_OUTBOUND} when its source is an inside host and its
 * destination port an SMTP port, {@code DIR_INBOUND} for the reverse, and ignored otherwise (web, DNS, and mail
 * arriving at inside servers, which is not ours to police). The analysis thread orients what it decodes; a
 * replay's capture thread orients what it pre-filters, under the one policy the replay runs with.
 */
public final class Orientation
{
    private Orientation()
    {
    }

    /** Sets direction and host class; false when the segment is not for the analysers. */
    public static boolean orient(final PacketEvent event, final Policy policy)
    {
        if (policy.isSmtpPort(event.dstPort))
        {
            final HostClass hostClass = policy.classify(event.srcHi, event.srcLo);
            if (hostClass != null)
            {
                event.direction = PacketEvent.DIR_OUTBOUND;
                event.hostClass = hostClass;
                return true;
            }
        }
        if (policy.isSmtpPort(event.srcPort))
        {
            final HostClass hostClass = policy.classify(event.dstHi, event.dstLo);
            if (hostClass != null)
            {
                event.direction = PacketEvent.DIR_INBOUND;
                event.hostClass = hostClass;
                return true;
            }
        }
        return false;
    }
}
