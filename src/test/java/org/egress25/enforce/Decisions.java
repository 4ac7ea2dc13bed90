package org.egress25.enforce;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.Source;

/** Decisions as detectors make them, for tests. */
final class Decisions
{
    private Decisions()
    {
    }

    static Decision block(final String host, final Instant now, final Duration lifetime)
    {
        return new Decision(now, host, Action.BLOCK, "relay-attempts-1m",
            "212 port-25 attempts in 1 min (limit 20)", now.plus(lifetime), Map.of("attempts", 212),
            Source.DETECTOR, 1);
    }

    static Decision unblock(final String host, final Instant now)
    {
        return new Decision(now, host, Action.UNBLOCK, "manual", "customer cleaned the PC", null, Map.of(),
            Source.MANUAL, 1);
    }

    static Decision alert(final String host, final Instant now)
    {
        return new Decision(now, host, Action.ALERT, "distinct-mx-5m", "14 distinct MX in 5 min (limit 10)", null,
            Map.of("distinct", 14), Source.DETECTOR, 0);
    }
}
