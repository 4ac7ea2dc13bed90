package org.egress25.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UncaughtErrorsTest
{
    private final UncaughtErrors uncaught = new UncaughtErrors();

    @Test
    void shouldCountAThrowableThatEscapesAThreadByItsRole() throws InterruptedException
    {
        die("egress25-rules-reloader", new StackOverflowError());
        die("pool-3-thread-1", new IllegalStateException("x"));
        die("pool-3-thread-2", new IllegalStateException("y"));

        assertThat(uncaught.byThread()).isEqualTo(Map.of("egress25-rules-reloader", 1L, "pool-#-thread-#", 2L));
    }

    @Test
    void shouldKeepTheLabelsFewWhateverTheThreadsAreCalled() throws InterruptedException
    {
        for (int i = 0; i < UncaughtErrors.MAX_ROLES + 5; i++)
        {
            die("worker-" + (char)('a' + i % 26) + (char)('a' + i / 26), new IllegalStateException());
        }

        assertThat(uncaught.byThread()).hasSize(UncaughtErrors.MAX_ROLES + 1).containsEntry("other", 5L);
    }

    private void die(final String name, final Throwable error) throws InterruptedException
    {
        final Thread thread = new Thread(() ->
        {
            if (error instanceof Error)
            {
                throw (Error)error;
            }
            throw (RuntimeException)error;
        }, name);
        thread.setUncaughtExceptionHandler(uncaught);
        thread.start();
        thread.join();
    }
}
