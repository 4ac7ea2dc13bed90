package org.egress25.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

class DistinctErrorHandlerTest
{
    private final PipelineCounters counters = new PipelineCounters();
    private final RecordingLogger log = new RecordingLogger();
    private final DistinctErrorHandler handler = new DistinctErrorHandler(counters, log);

    /** The lines the handler logs, kept instead of printed, so the bounded test does not print 256 stack traces. */
    private static final class RecordingLogger extends LegacyAbstractLogger
    {
        private static final long serialVersionUID = 1L;

        /** One line: its level, its formatted message and the exception it carries. */
        record Line(Level level, String message, Throwable error)
        {
        }

        final transient List<Line> lines = new CopyOnWriteArrayList<>();

        RecordingLogger()
        {
            this.name = DistinctErrorHandler.class.getName();
        }

        @Override
        public boolean isTraceEnabled()
        {
            return true;
        }

        @Override
        public boolean isDebugEnabled()
        {
            return true;
        }

        @Override
        public boolean isInfoEnabled()
        {
            return true;
        }

        @Override
        public boolean isWarnEnabled()
        {
            return true;
        }

        @Override
        public boolean isErrorEnabled()
        {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName()
        {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(final Level level, final Marker marker, final String pattern,
            final Object[] arguments, final Throwable error)
        {
            lines.add(new Line(level, org.slf4j.helpers.MessageFormatter.basicArrayFormat(pattern, arguments), error));
        }
    }

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
        assertThat(log.lines).as("each distinct error logged once, with its trace").hasSize(2)
            .allSatisfy(line -> assertThat(line.level()).isEqualTo(Level.ERROR))
            .allSatisfy(line -> assertThat(line.error()).isNotNull());
        assertThat(log.lines.get(0).message()).isEqualTo("error processing event 1 (logged once; further occurrences are counted in "
            + "egress25_handler_errors_total)");
        assertThat(log.lines.get(1).message()).startsWith("error processing event 2 ");
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
        assertThat(log.lines).as("each remembered error once, then one line for all the overflow")
            .hasSize(DistinctErrorHandler.MAX_DISTINCT + 1);
        assertThat(log.lines.get(DistinctErrorHandler.MAX_DISTINCT).message())
            .isEqualTo("more than " + DistinctErrorHandler.MAX_DISTINCT + " distinct errors processing events; further new ones are only counted");
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
