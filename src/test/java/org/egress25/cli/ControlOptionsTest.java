package org.egress25.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The control endpoint has no TCP listener to expose: a {@code --control-bind 0.0.0.0}, with which a
 * blocked subscriber could unblock itself, is refused before anything starts, and the client commands say
 * plainly when no instance is running.
 */
class ControlOptionsTest
{
    @TempDir
    Path dir;

    private record Run(int exitCode, String err)
    {
    }

    private static Run execute(final String... args)
    {
        final StringWriter err = new StringWriter();
        final CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return new Run(cl.execute(args), err.toString());
    }

    @Test
    void shouldRefuseATcpControlBindWithAMessage()
    {
        final Run run = execute("run", "-i", "lo", "--control-bind", "0.0.0.0", "--state-dir", dir.toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.err()).contains("the control endpoint is a Unix socket now").contains("no TCP listener");
    }

    @Test
    void shouldSayNotRunningWhenNoSocketIsThere()
    {
        final Path socket = dir.resolve("control.sock");
        final Run run = execute("unblock", "10.0.3.4", "--reason", "x", "--control-socket", socket.toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(run.err()).contains("egress25 is not running (no control socket at " + socket + ")");
    }
}
