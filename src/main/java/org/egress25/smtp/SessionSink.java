package org.egress25.smtp;

/**
 * Receives each SMTP session once, when it ends (QUIT and close, RST, idle timeout, or end of input), as the
 * session log's record. Called on the analysis thread: implementations hand off quickly (the log writer
 * buffers). Without a session log the analyser is given none and builds no records.
 */
@FunctionalInterface
public interface SessionSink
{
    void accept(SessionRecord session);
}
