package org.egress25.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistinctErrorHandlerTest
{
    private final PipelineCounters counters = new PipelineCounters();
    private final DistinctErrorHandler handler = new DistinctErrorHandler(counters);

    @Test
    void shouldTellApartTheSameThrowReachedFromTwoCallers()
    {
        final RuntimeException first = fromFirstCaller();
        handler.handleEventException(first, 1, null);
        handler.handleEventException(fromSecondCaller(), 2, null);
        handler.handleEventException(first, 3, null);

        final List<DistinctErrorHandler.Seen> distinct = handler.distinct();
        assertThat(distinct).as("one throw site, two stack traces").hasSize(2);
        assertThat(distinct.get(0).count()).isEqualTo(2);
        assertThat(distinct.get(0).trace()).contains("fromFirstCaller");
        assertThat(distinct.get(1).count()).isEqualTo(1);
        assertThat(distinct.get(1).trace()).contains("fromSecondCaller");
        assertThat(distinct.get(0).summary()).isEqualTo("java.lang.IllegalStateException: a bug in a handler");
        assertThat(counters.handlerErrors()).isEqualTo(3);
    }

    @Test
    void shouldRecordWhenEachErrorWasFirstAndLastSeen() throws InterruptedException
    {
        final Instant before = Instant.now();
        final RuntimeException error = fromFirstCaller();
        handler.handleEventException(error, 1, null);
        Thread.sleep(5);
        handler.handleEventException(error, 2, null);

        final DistinctErrorHandler.Seen seen = handler.distinct().get(0);
        assertThat(seen.firstSeen()).isAfterOrEqualTo(before);
        assertThat(seen.lastSeen()).isAfter(seen.firstSeen());
    }

    @Test
    void shouldRememberABoundedNumberOfDistinctErrorsAndCountTheRest()
    {
        for (int i = 0; i < DistinctErrorHandler.MAX_DISTINCT + 100; i++)
        {
            // a message with per-packet data makes every trace distinct
            handler.handleEventException(new IllegalArgumentException("offset " + i), i, null);
        }

        assertThat(handler.distinct()).hasSize(DistinctErrorHandler.MAX_DISTINCT);
        assertThat(handler.overflow()).isEqualTo(100);
        assertThat(counters.handlerErrors()).isEqualTo(DistinctErrorHandler.MAX_DISTINCT + 100);
    }

    private static RuntimeException fromFirstCaller()
    {
        return thrown();
    }

    private static RuntimeException fromSecondCaller()
    {
        return thrown();
    }

    private static RuntimeException thrown()
    {
        try
        {
            throw new IllegalStateException("a bug in a handler");
        }
        catch (final IllegalStateException e)
        {
            return e;
        }
    }
}
