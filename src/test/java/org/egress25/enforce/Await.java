package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Polls a condition that another thread (the enforcer thread, the kernel) makes true. */
final class Await
{
    private Await()
    {
    }

    static void until(final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean())
        {
            assertThat(deadline - System.nanoTime()).as("condition not met within 15 s").isPositive();
            Thread.sleep(50);
        }
    }
}
