package org.egress25.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.egress25.report.FlaggedHostReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket's own rules: who may do what (from an account database written for the test), that
 * every mutation names who asked, and that a client holding an unfinished request open neither freezes the
 * endpoint for others nor keeps its connection past the deadline.
 */
class ControlServerTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<String> reasons = new CopyOnWriteArrayList<>();
    private ControlServer server;
    private Accounts accounts;

    private final ControlServer.Operations operations = new ControlServer.Operations()
    {
        @Override
        public Object blocks()
        {
            return ControlServer.map("blocks", List.of());
        }

        @Override
        public Object block(final String host, final String duration, final String reason, final boolean force)
        {
            reasons.add(reason);
            return ControlServer.map("host", host, "reason", reason);
        }

        @Override
        public Object unblock(final String host, final String reason)
        {
            reasons.add(reason);
            return ControlServer.map("host", host, "reason", reason);
        }

        @Override
        public Object reload()
        {
            return ControlServer.map("reloaded", true);
        }

        @Override
        public Object explain(final String host)
        {
            return ControlServer.map("host", host, "why", "remote said 550 <john.doe@example.com> unknown");
        }

        @Override
        public FlaggedHostReport report()
        {
            return FlaggedHostReport.build(List.of(), List.of());
        }
    };

    @BeforeEach
    void accounts() throws IOException
    {
        final Path passwd = Files.writeString(dir.resolve("passwd"), String.join("\n",
            "root:x:0:0:root:/root:/bin/bash",
            "alice:x:1001:1001::/home/alice:/bin/bash",
            "bob:x:1002:1002::/home/bob:/bin/bash",
            "mallory:x:1003:1003::/home/mallory:/bin/bash",
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin", ""));
        final Path group = Files.writeString(dir.resolve("group"), String.join("\n",
            "root:x:0:", "alice:x:1001:", "bob:x:1002:", "mallory:x:1003:", "nogroup:x:65534:",
            "egress25:x:990:alice", "egress25-read:x:991:bob,carol", ""));
        accounts = new Accounts(passwd, group);
        server = new ControlServer(operations, new Access("egress25", "egress25-read"), accounts);
    }

    @AfterEach
    void close()
    {
        server.close();
    }

    private JsonNode ask(final String user, final String request) throws IOException
    {
        return server.answer(accounts.caller(user, user.equals("nobody") ? "nogroup" : user), JSON.readTree(request));
    }

    @Test
    void shouldRefuseAnUnblockFromSomeoneInNeitherGroupAndSayWhichGroupItNeeds() throws Exception
    {
        final JsonNode answer = ask("mallory", "{\"command\":\"unblock\",\"host\":\"10.0.3.4\",\"reason\":\"me\"}");

        assertThat(answer.path("ok").asBoolean()).isFalse();
        assertThat(answer.path("refused").asText()).isEqualTo("denied");
        assertThat(answer.path("error").asText()).contains("permission denied: 'unblock' needs root or membership in group"
            + " egress25").contains("you are mallory (uid 1003)");
        assertThat(reasons).as("nothing reached the enforcer").isEmpty();
        assertThat(ask("nobody", "{\"command\":\"blocks\"}").path("refused").asText()).isEqualTo("denied");
    }

    @Test
    void shouldLetTheReadGroupLookButNotChange() throws Exception
    {
        assertThat(ask("bob", "{\"command\":\"blocks\"}").path("ok").asBoolean()).isTrue();
        assertThat(ask("bob", "{\"command\":\"explain\",\"host\":\"10.0.3.4\"}").path("ok").asBoolean()).isTrue();
        assertThat(ask("bob", "{\"command\":\"report\",\"format\":\"html\"}").path("result").asText()).startsWith("<!DOCTYPE html>");

        final JsonNode block = ask("bob", "{\"command\":\"block\",\"host\":\"10.0.3.4\",\"for\":\"1h\",\"reason\":\"x\"}");
        assertThat(block.path("refused").asText()).isEqualTo("denied");
        assertThat(block.path("error").asText()).contains("'block' needs root or membership in group egress25");
        assertThat(ask("bob", "{\"command\":\"reload\"}").path("refused").asText()).isEqualTo("denied");
    }

    @Test
    void shouldRecordWhoAskedInTheReasonOfEveryMutation() throws Exception
    {
        final JsonNode answer = ask("alice", "{\"command\":\"block\",\"host\":\"10.0.3.4\",\"for\":\"2h\",\"reason\":\"AR-99\"}");
        ask("root", "{\"command\":\"unblock\",\"host\":\"10.0.3.4\",\"reason\":\"INC-1234 cleaned\"}");

        assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
        assertThat(reasons).containsExactly("AR-99 [by alice (uid 1001)]", "INC-1234 cleaned [by root (uid 0)]");
    }

    @Test
    void shouldRedactMailboxesInEveryAnswer() throws Exception
    {
        assertThat(ask("alice", "{\"command\":\"explain\",\"host\":\"10.0.3.4\"}").toString())
            .doesNotContain("john.doe").contains("j***@example.com");
    }

    @Test
    void shouldAnswerBadRequestsWithTheReason() throws Exception
    {
        assertThat(ask("alice", "{\"command\":\"block\",\"host\":\"10.0.3.4\",\"reason\":\"r\"}").path("error").asText())
            .isEqualTo("'for' is required");
        assertThat(ask("alice", "{\"command\":\"frobnicate\"}").path("refused").asText()).isEqualTo("bad_request");
        assertThat(ask("alice", "{\"command\":\"report\",\"format\":\"xarf\"}").path("error").asText())
            .contains("one host");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldServeOthersWhileOneClientHoldsAnUnfinishedRequestAndThenDropIt() throws Exception
    {
        final Path socket = dir.resolve("run").resolve("control.sock");
        server.start(socket);
        assertThat(Files.getPosixFilePermissions(socket)).hasSize(6);

        try (SocketChannel hog = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            hog.connect(UnixDomainSocketAddress.of(socket));
            hog.write(ByteBuffer.wrap("{\"command\":\"blo".getBytes(StandardCharsets.UTF_8)));

            final long start = System.nanoTime();
            final JsonNode answer = exchange(socket, "{\"command\":\"blocks\"}\n");
            assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("answer while the hog waits")
                .isLessThan(2_000);

            // the hog's connection is closed at the read deadline: its read sees the end
            final ByteBuffer sink = ByteBuffer.allocate(256);
            final long hogStart = System.nanoTime();
            while (hog.read(sink) >= 0)
            {
                sink.clear();
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hogStart))
                .isLessThan(ControlServer.READ_DEADLINE_MS + 2_000);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReplaceAStaleSocketButRefuseToTakeOverALiveOne() throws Exception
    {
        final Path socket = dir.resolve("control.sock");
        server.start(socket);
        final ControlServer second = new ControlServer(operations, new Access("egress25", "egress25-read"), accounts);
        try
        {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> second.start(socket))
                .hasMessageContaining("another egress25 is listening on " + socket);
        }
        finally
        {
            second.close();
        }
        assertThat(exchange(socket, "{\"command\":\"blocks\"}\n").path("ok").asBoolean()).isTrue();
    }

    private static JsonNode exchange(final Path socket, final String request) throws IOException
    {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            Channels.newInputStream(channel).transferTo(out);
            return JSON.readTree(out.toString(StandardCharsets.UTF_8));
        }
    }
}
