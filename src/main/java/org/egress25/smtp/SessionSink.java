package org.egress25.smtp;

/**
 * Receives each SMTP session once, when it ends (QUIT and close, RST, idle timeout, or end of input).
 * Called on the analysis thread: implementations hand off quickly (the log writer buffers).
 */
@FunctionalInterface
public interface SessionSink
{
    void accept(SessionRecord session);

    /** A sink that drops everything, for runs without {@code --sessions}. */
    SessionSink NONE = session -> { };
}
