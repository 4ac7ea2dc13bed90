package org.egress25.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operator mistakes exit 2 with one line that says what to change, as the README's exit codes promise. */
class UsageErrorsTest
{
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    @Test
    void shouldExitTwoOnAnUnknownOption()
    {
        assertThat(execute("replay", "--no-such-option", "x.pcap")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
    }

    @Test
    void shouldExitTwoOnAMissingRequiredOptionOrCommand()
    {
        assertThat(execute("run")).isEqualTo(Main.EXIT_USAGE);
        assertThat(execute()).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void shouldNameTheMetricsPortThatIsInUseAndExitTwo() throws Exception
    {
        final Path capture = Files.write(dir.resolve("empty.pcap"), ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(0xa1b2c3d4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65535).putInt(1)
            .array());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final int port = taken.getLocalPort();

            assertThat(execute("replay", capture.toString(), "--quiet", "--metrics-port", Integer.toString(port)))
                .isEqualTo(Main.EXIT_USAGE);
            assertThat(err.toString()).contains("egress25: cannot serve metrics on 127.0.0.1:" + port + ": ")
                .contains("choose another --metrics-port").doesNotContain("\tat ");
        }
    }

    private int execute(final String... args)
    {
        return Main.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
            .execute(args);
    }
}
