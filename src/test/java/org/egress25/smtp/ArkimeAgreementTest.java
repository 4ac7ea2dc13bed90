package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * egress25's session log against Arkime's session JSON ({@code .test}) for the same captures: HELO name,
 * envelope sender and recipients of each SMTP session, matched by client port.
 *
 * <p>Deliberate differences, checked as such below:
 * <ul>
 *   <li>Arkime lower-cases what it indexes ({@code ADCDTEST} becomes {@code adcdtest}); the session log keeps
 *       what was sent, so the comparison ignores case.</li>
 *   <li>Arkime's {@code email.src}/{@code email.dst} also hold the message header's From/To; the session log
 *       holds the envelope only, so ours must be contained in Arkime's, not equal to it.</li>
 *   <li>A bare {@code HELO} (no name) is no {@code smtpHello} for Arkime and {@code ""} for egress25: the
 *       host did say HELO, and an empty name is itself a HELO-quality finding.</li>
 *   <li>Arkime also finds SMTP on any port (1080 behind SOCKS5, 1224 in Exim's test suite); egress25 reads
 *       only the policed SMTP ports (25, 465, 587, 2525; other ports are out of scope), so those give no
 *       session.</li>
 * </ul>
 */
class ArkimeAgreementTest
{
    private static Path arkime()
    {
        return TestCapture.captures().resolve("arkime");
    }
    private static final Set<Integer> SMTP_PORTS = Set.of(25, 465, 587, 2525);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> lower(final JsonNode array)
    {
        final List<String> out = new ArrayList<>();
        if (array != null)
        {
            array.forEach(n -> out.add(n.asText().toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    @Test
    void shouldAgreeWithArkimeOnHeloSenderAndRecipientsOfEverySmtpSession() throws IOException
    {
        final List<Path> tests;
        try (Stream<Path> files = Files.list(arkime()))
        {
            tests = files.filter(p -> p.toString().endsWith(".test")).sorted().toList();
        }
        int sessionsCompared = 0;
        int outOfScope = 0;
        for (final Path test : tests)
        {
            final Path capture = Path.of(test.toString().replace(".test", ".pcap"));
            final CaptureReplayTest.Run run = CaptureReplayTest.replay(capture);
            for (final JsonNode wrapper : JSON.readTree(test.toFile()).path("sessions3"))
            {
                final JsonNode body = wrapper.path("body");
                final int serverPort = body.path("destination").path("port").asInt();
                final int clientPort = body.path("source").path("port").asInt();
                final List<SessionRecord> mine = run.sessions().stream().filter(s -> s.clientPort() == clientPort).toList();
                if (!SMTP_PORTS.contains(serverPort))
                {
                    assertThat(mine).as("%s: port %d is not an SMTP port", test.getFileName(), serverPort).isEmpty();
                    outOfScope++;
                    continue;
                }
                assertThat(mine).as("%s: session from port %d", test.getFileName(), clientPort).hasSize(1);
                final SessionRecord s = mine.get(0);
                final JsonNode email = body.path("email");
                final List<String> hello = lower(email.get("smtpHello"));
                if (hello.isEmpty())
                {
                    assertThat(s.helo()).as("%s helo", test.getFileName()).isIn(null, "");
                }
                else
                {
                    assertThat(s.helo()).as("%s helo", test.getFileName()).isEqualToIgnoringCase(hello.get(hello.size() - 1));
                }
                final List<String> src = lower(email.get("src"));
                final List<String> dst = lower(email.get("dst"));
                assertThat(s.transactions()).as("%s transactions", test.getFileName()).isNotEmpty();
                for (final SessionRecord.Transaction t : s.transactions())
                {
                    assertThat(src).as("%s sender", test.getFileName()).contains(t.mailFrom().toLowerCase(Locale.ROOT));
                    for (final String r : t.rcptTo())
                    {
                        assertThat(dst).as("%s recipients", test.getFileName()).contains(r.toLowerCase(Locale.ROOT));
                    }
                }
                sessionsCompared++;
            }
        }
        assertThat(sessionsCompared).isEqualTo(12);
        assertThat(outOfScope).isEqualTo(3);
    }
}
