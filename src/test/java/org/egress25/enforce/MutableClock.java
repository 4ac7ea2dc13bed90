package org.egress25.enforce;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand. */
final class MutableClock extends Clock
{
    private volatile Instant now;

    MutableClock(final Instant start)
    {
        now = start;
    }

    void advance(final Duration by)
    {
        now = now.plus(by);
    }

    @Override
    public Instant instant()
    {
        return now;
    }

    @Override
    public ZoneId getZone()
    {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(final ZoneId zone)
    {
        return this;
    }
}
