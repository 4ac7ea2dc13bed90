package org.egress25.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.egress25.control.ControlServer;
import picocli.CommandLine.Option;

/**
 * Talks to a running instance's control socket; shared by blocks, block, unblock, explain and report. One
 * JSON line out, one JSON answer back (the protocol is in {@link ControlServer}).
 */
final class ControlClient
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--control-socket", paramLabel = "PATH", defaultValue = ControlServer.DEFAULT_SOCKET,
        description = "Control socket of the running instance (default: ${DEFAULT-VALUE}).")
    Path socket;

    /** The answer's {@code result}; a clear message when the daemon is down, refuses, or finds the request bad. */
    JsonNode call(final String command, final Map<String, String> arguments) throws IOException
    {
        final ObjectNode request = JSON.createObjectNode();
        request.put("command", command);
        arguments.forEach(request::put);
        final JsonNode answer = exchange(JSON.writeValueAsString(request) + "\n");
        if (answer.path("ok").asBoolean())
        {
            return answer.path("result");
        }
        final String error = answer.path("error").asText("no answer");
        switch (answer.path("refused").asText(""))
        {
            case "bad_request":
                throw new ConfigException(error);
            case "denied":
                throw new Refused(error);
            default:
                throw new Refused("the daemon could not do it: " + error);
        }
    }

    private JsonNode exchange(final String request) throws IOException
    {
        if (!Files.exists(socket))
        {
            throw new Refused("egress25 is not running (no control socket at " + socket + ")");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            try
            {
                channel.connect(UnixDomainSocketAddress.of(socket));
            }
            catch (final IOException e)
            {
                final String why = String.valueOf(e.getMessage());
                throw new Refused(why.contains("ermission")
                    ? "cannot open the control socket " + socket + ": permission denied"
                    : "egress25 is not running (control socket " + socket + " does not answer: " + why + ")");
            }
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();
            Channels.newInputStream(channel).transferTo(answer);
            final String text = answer.toString(StandardCharsets.UTF_8).strip();
            if (text.isEmpty())
            {
                throw new Refused("the control socket " + socket + " closed without an answer");
            }
            return JSON.readTree(text);
        }
    }

    static String pretty(final JsonNode node) throws IOException
    {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    /** Not done: the daemon is down or said no. Exit 1 with the message, never a stack trace. */
    static final class Refused extends RuntimeException
    {
        Refused(final String message)
        {
            super(message);
        }
    }
}
