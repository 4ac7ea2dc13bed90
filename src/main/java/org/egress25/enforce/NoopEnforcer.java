package org.egress25.enforce;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shadow mode ({@code --enforce none}): says at info level what it would do and touches nothing, so an
 * operator can run a new rule set against live traffic for a week before letting it block anyone.
 */
public final class NoopEnforcer implements Enforcer
{
    private static final Logger LOG = LoggerFactory.getLogger(NoopEnforcer.class);

    private final Clock clock;

    public NoopEnforcer()
    {
        this(Clock.systemUTC());
    }

    public NoopEnforcer(final Clock clock)
    {
        this.clock = clock;
    }

    @Override
    public String name()
    {
        return "none";
    }

    @Override
    public void start()
    {
        LOG.info("enforcement is off (shadow mode): decisions are logged, the firewall is not touched");
    }

    @Override
    public void apply(final List<Decision> batch)
    {
        for (final Decision decision : batch)
        {
            if (decision.action() == Action.BLOCK)
            {
                final String lifetime = decision.expires() == null
                    ? "without expiry"
                    : "for " + Duration.between(decision.time(), decision.expires()).toSeconds() + "s";
                LOG.info("shadow: would block {} {} (rule {}, strike {})",
                    decision.host(), lifetime, decision.rule(), decision.strikes());
            }
            else if (decision.action() == Action.UNBLOCK)
            {
                LOG.info("shadow: would unblock {} ({})", decision.host(), decision.reason());
            }
        }
    }

    @Override
    public void close()
    {
    }
}
