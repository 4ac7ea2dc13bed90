package org.egress25.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.egress25.host.Action;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Decisions reach a real collector socket on loopback as RFC 5424 messages a log pipeline can parse. */
@Timeout(30)
class SyslogSenderTest
{
    /** RFC 5424 section 6: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD SP MSG. */
    private static final Pattern RFC5424 = Pattern.compile(
        "<(\\d{1,3})>1 (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?Z) (\\S+) (\\S+) (\\d+) (\\S+) - (\\{.*})", Pattern.DOTALL);

    private static final Decision BLOCK = new Decision(Instant.parse("2026-12-04T01:43:00.417Z"), "10.0.3.4", Action.BLOCK,
        "smtp-blocklist", "a server replied that 10.0.3.4 is listed", Instant.parse("2026-12-04T01:53:00.417Z"),
        Map.of("zone", "zen.spamhaus.org"), Source.DETECTOR, 1);
    private static final Decision UNBLOCK = new Decision(Instant.parse("2026-12-04T01:45:00Z"), "2001:db8::4", Action.UNBLOCK,
        "manual", "INC-1 cleaned", null, Map.of(), Source.MANUAL, 1);

    @Test
    void shouldSendOneDatagramPerDecisionWithSeverityByAction() throws IOException
    {
        try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            final SyslogSender sender = new SyslogSender("udp://127.0.0.1:" + collector.getLocalPort(), "local3", "gw-1");
            sender.onDecisions(List.of(BLOCK, UNBLOCK));

            final Matcher block = parse(receive(collector));
            assertThat(Integer.parseInt(block.group(1))).as("local3 (19) * 8 + warning (4)").isEqualTo(19 * 8 + 4);
            assertThat(block.group(2)).isEqualTo("2026-12-04T01:43:00.417Z");
            assertThat(block.group(3)).isEqualTo("gw-1");
            assertThat(block.group(4)).isEqualTo("egress25");
            assertThat(block.group(6)).isEqualTo("block");
            final JsonNode json = DecisionJson.MAPPER.readTree(block.group(7));
            assertThat(json.path("host").asText()).isEqualTo("10.0.3.4");
            assertThat(json.path("evidence").path("zone").asText()).isEqualTo("zen.spamhaus.org");

            final Matcher unblock = parse(receive(collector));
            assertThat(Integer.parseInt(unblock.group(1))).as("info").isEqualTo(19 * 8 + 6);
            assertThat(unblock.group(6)).isEqualTo("unblock");
            assertThat(sender.sent()).isEqualTo(2);
            sender.onClose();
        }
    }

    @Test
    void shouldFrameTcpMessagesByOctetCountingAndCountACollectorThatIsDown() throws IOException
    {
        final int closedPort;
        try (ServerSocket collector = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final SyslogSender sender = new SyslogSender("tcp://127.0.0.1:" + collector.getLocalPort(), "daemon", "gw-1");
            sender.onDecisions(List.of(BLOCK, UNBLOCK));
            try (Socket accepted = collector.accept())
            {
                final DataInputStream in = new DataInputStream(accepted.getInputStream());
                for (final String action : List.of("block", "unblock"))
                {
                    final Matcher m = parse(readFrame(in));
                    assertThat(m.group(6)).isEqualTo(action);
                    assertThat(Integer.parseInt(m.group(1)) / 8).as("daemon").isEqualTo(3);
                }
            }
            sender.onClose();
            closedPort = collector.getLocalPort();
        }
        final SyslogSender toNowhere = new SyslogSender("tcp://127.0.0.1:" + closedPort, "daemon", "gw-1");
        toNowhere.onDecisions(List.of(BLOCK, UNBLOCK));
        assertThat(toNowhere.errors()).isEqualTo(2);
        assertThat(toNowhere.sent()).isZero();
    }

    @Test
    void shouldRefuseTargetsAndFacilitiesItCannotUse()
    {
        assertThatThrownBy(() -> new SyslogSender("syslog.example:514", "daemon", "h")).hasMessageContaining("udp://HOST[:PORT]");
        assertThatThrownBy(() -> new SyslogSender("unix:/dev/log", "daemon", "h")).hasMessageContaining("tcp://HOST[:PORT]");
        assertThatThrownBy(() -> new SyslogSender("udp://127.0.0.1", "local9", "h")).hasMessageContaining("local7");
    }

    private static String receive(final DatagramSocket socket) throws IOException
    {
        final DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        socket.setSoTimeout(5_000);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    /** RFC 6587 octet counting: decimal length, one space, that many octets. */
    private static String readFrame(final DataInputStream in) throws IOException
    {
        final StringBuilder length = new StringBuilder();
        for (int c = in.read(); c != ' '; c = in.read())
        {
            assertThat(c).as("a digit of MSG-LEN").isBetween((int)'0', (int)'9');
            length.append((char)c);
        }
        final byte[] message = new byte[Integer.parseInt(length.toString())];
        in.readFully(message);
        return new String(message, StandardCharsets.UTF_8);
    }

    private static Matcher parse(final String message)
    {
        final Matcher m = RFC5424.matcher(message);
        assertThat(m.matches()).as(message).isTrue();
        return m;
    }
}
