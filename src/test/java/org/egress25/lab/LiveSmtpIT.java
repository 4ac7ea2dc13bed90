package org.egress25.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.NetNs;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real SMTP dialogues captured live: swaks in a client namespace talks to Debian's aiosmtpd
 * ({@code deploy/lab/smtp_server.py}) in a server namespace, where {@code egress25 run} captures on the veth
 * in shadow mode. One server accepts; the other refuses every recipient as Postfix does for a client listed
 * on Spamhaus ZEN, naming the client's address. The session log must say what swaks said it sent (HELO,
 * MAIL FROM, every RCPT TO, the last reply), and the refusal alone must get the host a block decision from
 * the blocklist-reply analyser: two sessions are far below every rate limit.
 */
class LiveSmtpIT
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIENT = "10.99.0.66";
    private static final String ACCEPTING = "198.18.0.1";
    private static final String REJECTING = "198.18.0.2";
    /** swaks marks what it sent with "->" and the server's lines with "<-" (or "<**" for an error reply). */
    private static final Pattern SENT = Pattern.compile("^ -> (EHLO|HELO|MAIL FROM:|RCPT TO:)\\s*<?([^>\\s]*)>?", Pattern.MULTILINE);
    private static final Pattern REPLY = Pattern.compile("^<(?:-|\\*\\*) +(\\d{3}[ -].*)$", Pattern.MULTILINE);

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldLogWhatSwaksSentAndBlockTheHostNamedInABlocklistReply(@TempDir final Path dir) throws Exception
    {
        assumeTrue(NetNs.available(), "needs root and iproute2 for network namespaces");
        final Path decisions = dir.resolve("decisions.jsonl");
        final Path sessions = dir.resolve("sessions.jsonl");
        final Path serverLog = dir.resolve("smtp.log");
        try (NetNs net = new NetNs())
        {
            final String client = net.create("cli");
            final String server = net.create("srv");
            net.link(client, "e25c0", server, "e25s0");
            net.address(client, "e25c0", CLIENT + "/24");
            net.address(server, "e25s0", "10.99.0.1/24");
            net.address(server, "lo", ACCEPTING + "/32");
            net.address(server, "lo", REJECTING + "/32");
            net.route(client, "198.18.0.0/24", "10.99.0.1");
            final Process smtp = new ProcessBuilder(NetNs.inNs(server, List.of("/usr/bin/python3",
                Path.of("deploy", "lab", "smtp_server.py").toAbsolutePath().toString(),
                "--port", "25", "--reject-blocklist", REJECTING, ACCEPTING, REJECTING)))
                .redirectErrorStream(true).redirectOutput(serverLog.toFile()).start();
            try (Egress25Process egress = Egress25Process.start(server, "run", "--interface", "e25s0",
                "--inside", "10.99.0.0/24", "--enforce", "none", "--decisions", decisions.toString(),
                "--sessions", sessions.toString(), "--state-dir", dir.resolve("state").toString(),
                "--metrics-port", "0"))
            {
                awaitLine(serverLog, "listening on 2 addresses port 25", smtp);
                egress.awaitStderr(line -> line.contains("running on e25s0"), 60_000);
                Thread.sleep(500);

                final Dialogue accepted = swaks(net, client, ACCEPTING, "bot-7f3k.lab.example", "sender@lab.example",
                    "alice@d1.lab.example,bob@d2.lab.example");
                assertThat(accepted.exit()).as("swaks to the accepting server:%n%s", accepted.transcript()).isZero();
                final Dialogue refused = swaks(net, client, REJECTING, "bot-7f3k.lab.example", "sender@lab.example",
                    "carol@d3.lab.example");
                assertThat(refused.exit()).as("swaks to the refusing server:%n%s", refused.transcript()).isNotZero();
                assertThat(refused.lastReply()).startsWith("554 5.7.1 Service unavailable; Client host [" + CLIENT
                    + "] blocked using zen.spamhaus.org");

                final JsonNode decision = awaitDecision(decisions, "smtp-blocklist-reply", 20_000, egress);
                assertThat(decision.path("host").asText()).isEqualTo(CLIENT);
                assertThat(decision.path("action").asText()).isEqualTo("block");
                egress.stop();

                final List<JsonNode> logged = readLines(sessions);
                assertThat(logged).as("session log %s; egress25 output:%n%s", sessions, egress.output()).hasSize(2);
                assertSessionMatches(find(logged, ACCEPTING), accepted, "accepted", 0);
                assertSessionMatches(find(logged, REJECTING), refused, "none", 1);
            }
            finally
            {
                smtp.destroy();
                smtp.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** What swaks printed: the commands it sent and every reply line it received. */
    record Dialogue(int exit, String transcript)
    {
        List<String> sent(final String command)
        {
            final List<String> values = new ArrayList<>();
            final Matcher m = SENT.matcher(transcript);
            while (m.find())
            {
                if (m.group(1).equals(command))
                {
                    values.add(m.group(2));
                }
            }
            return values;
        }

        /** The last reply before QUIT's 221. */
        String lastReply()
        {
            final List<String> replies = new ArrayList<>();
            final Matcher m = REPLY.matcher(transcript);
            while (m.find())
            {
                replies.add(m.group(1).strip());
            }
            final List<String> beforeQuit = replies.stream().filter(r -> !r.startsWith("221")).toList();
            return beforeQuit.isEmpty() ? "" : beforeQuit.get(beforeQuit.size() - 1);
        }
    }

    private static Dialogue swaks(final NetNs net, final String ns, final String server, final String helo,
        final String from, final String to)
    {
        final Shell.Result r = net.exec(ns, "swaks", "--server", server, "--port", "25", "--local-interface", CLIENT,
            "--helo", helo, "--from", from, "--to", to, "--timeout", "10", "--header", "Subject: egress25 live test");
        return new Dialogue(r.exitCode(), r.stdout() + r.stderr());
    }

    private static void assertSessionMatches(final JsonNode session, final Dialogue swaks, final String data,
        final int rcptRejected)
    {
        assertThat(session.path("client").asText()).isEqualTo(CLIENT);
        assertThat(session.path("server_port").asInt()).isEqualTo(25);
        assertThat(session.path("tls").asText()).isEqualTo("none");
        assertThat(session.path("helo").asText()).isEqualTo(swaks.sent("EHLO").get(0));
        final JsonNode transactions = session.path("transactions");
        assertThat(transactions).hasSize(1);
        final JsonNode t = transactions.get(0);
        assertThat(t.path("mail_from").asText()).isEqualTo(swaks.sent("MAIL FROM:").get(0));
        final List<String> rcpts = new ArrayList<>();
        t.path("rcpt_to").forEach(r -> rcpts.add(r.asText()));
        assertThat(rcpts).isEqualTo(swaks.sent("RCPT TO:"));
        assertThat(t.path("rcpt_rejected").asInt()).isEqualTo(rcptRejected);
        assertThat(t.path("data").asText()).isEqualTo(data);
        assertThat(t.path("last_reply").asText()).isEqualTo(swaks.lastReply());
    }

    private static JsonNode find(final List<JsonNode> sessions, final String server)
    {
        return sessions.stream().filter(s -> server.equals(s.path("server").asText())).findFirst()
            .orElseThrow(() -> new AssertionError("no session to " + server + " in " + sessions));
    }

    private static List<JsonNode> readLines(final Path file) throws Exception
    {
        final List<JsonNode> nodes = new ArrayList<>();
        if (Files.exists(file))
        {
            for (final String line : Files.readAllLines(file))
            {
                if (!line.isBlank())
                {
                    nodes.add(JSON.readTree(line));
                }
            }
        }
        return nodes;
    }

    private static JsonNode awaitDecision(final Path file, final String rule, final long timeoutMillis,
        final Egress25Process egress) throws Exception
    {
        final long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline)
        {
            for (final JsonNode node : readLines(file))
            {
                if (rule.equals(node.path("rule").asText()))
                {
                    return node;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + rule + " decision within " + timeoutMillis + " ms; decisions: "
            + readLines(file) + "\n" + egress.output());
    }

    private static void awaitLine(final Path file, final String text, final Process process) throws Exception
    {
        final long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline)
        {
            if (Files.exists(file) && Files.readString(file).contains(text))
            {
                return;
            }
            if (!process.isAlive())
            {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the SMTP server did not start: " + (Files.exists(file) ? Files.readString(file) : ""));
    }
}
