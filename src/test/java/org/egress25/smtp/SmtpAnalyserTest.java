package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.egress25.decision.Decision;
import org.junit.jupiter.api.Test;

/** Stream tracking and parsing behaviour on hand-made dialogues. */
class SmtpAnalyserTest
{
    private final Harness harness = new Harness();
    private final List<SessionRecord> records = harness.records;
    private final List<Decision> decisions = harness.decisions;
    private final SmtpAnalyser analyser = harness.analyser;
    private final Wire wire = harness.wire;

    @Test
    void shouldNeverParseWhatFollowsAnAcceptedStarttls()
    {
        final Wire.Conn c = wire.connect("10.0.0.1", 5000, "192.0.2.1", 25);
        c.server("220 mx ESMTP\r\n").client("EHLO a.example\r\n").server("250 STARTTLS\r\n")
            .client("STARTTLS\r\n").server("220 go ahead\r\n")
            .client("\u0016\u0003\u0001 MAIL FROM:<hidden@example.com>\r\nRCPT TO:<x@y.z>\r\n")
            .server("\u0016\u0003\u0003 550 spamhaus\r\n");
        c.finBoth();
        final SessionRecord s = records.get(0);
        assertThat(s.tls()).isEqualTo(TlsState.STARTTLS);
        assertThat(s.transactions()).isEmpty();
        assertThat(s.replies(5)).isZero();
        assertThat(decisions).isEmpty();
        assertThat(s.clientBytes()).isGreaterThan(40);
        assertThat(analyser.sessions(25, TlsState.STARTTLS)).isEqualTo(1);
    }

    @Test
    void shouldTreatPort465AsImplicitTlsFromTheFirstByte()
    {
        final Wire.Conn c = wire.connect("10.0.0.1", 5001, "192.0.2.1", 465);
        c.client("EHLO would-be-parsed\r\n").server("250 nope\r\n");
        c.finBoth();
        assertThat(records.get(0).tls()).isEqualTo(TlsState.IMPLICIT);
        assertThat(records.get(0).helo()).isNull();
        assertThat(analyser.sessions(465, TlsState.IMPLICIT)).isEqualTo(1);
    }

    @Test
    void shouldMarkTlsStartingWithoutStarttlsAsAnAnomaly()
    {
        final Wire.Conn c = wire.connect("10.0.0.1", 5002, "192.0.2.1", 587);
        c.client("\u0016\u0003\u0001\u0000").server("\u0016\u0003\u0003");
        c.rst();
        assertThat(records.get(0).tls()).isEqualTo(TlsState.IMPLICIT);
        assertThat(records.get(0).anomaly(Anomaly.UNEXPECTED_TLS)).isEqualTo(1);
        assertThat(records.get(0).endReason()).isEqualTo("rst");
    }

    @Test
    void shouldProduceARecordFromAServerOnlyCapture()
    {
        final Wire.Conn c = wire.pickUp("10.0.0.2", 5003, "192.0.2.1", 25);
        c.server("220 mx\r\n250-mx\r\n250 ok\r\n250 ok\r\n550 5.7.1 no\r\n221 bye\r\n");
        wire.end();
        final SessionRecord s = records.get(0);
        assertThat(s.directions()).isEqualTo("server");
        assertThat(s.replies(2)).isEqualTo(4);
        assertThat(s.replies(5)).isEqualTo(1);
        assertThat(s.anomalies()).doesNotContainKey(Anomaly.UNSOLICITED_REPLY.label());
    }

    @Test
    void shouldProduceARecordFromAClientOnlyCaptureEndedByItsFin()
    {
        final Wire.Conn c = wire.pickUp("10.0.0.3", 5004, "192.0.2.1", 25);
        c.client("EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<b@d.example>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n");
        c.segment(true, c.clientSeq, 0, org.egress25.event.PacketEvent.TCP_FIN, null, 0, 0);
        final SessionRecord s = records.get(0);
        assertThat(s.directions()).isEqualTo("client");
        assertThat(s.endReason()).isEqualTo("quit");
        assertThat(s.transactions()).singleElement().satisfies(t ->
        {
            assertThat(t.rcptTo()).containsExactly("b@d.example");
            assertThat(t.data()).isEqualTo("none");
            assertThat(t.dataBytes()).isEqualTo(7);
        });
    }

    @Test
    void shouldResynchroniseAtTheNextLineAfterLostBytes()
    {
        final Wire.Conn c = wire.connect("10.0.0.4", 5005, "192.0.2.1", 25);
        c.server("220 mx\r\n").client("EHLO e.example\r\n").server("250 ok\r\n");
        c.client("MAIL FROM:<a@e.example>\r\nRCPT TO:<lost");
        c.clientLost(20);
        c.client("ple>\r\nRCPT TO:<kept@example.com>\r\n");
        c.server("250 ok\r\n250 ok\r\n250 ok\r\n");
        c.finBoth();
        final SessionRecord s = records.get(0);
        assertThat(s.anomaly(Anomaly.GAP)).isEqualTo(1);
        assertThat(s.transactions().get(0).rcptTo()).containsExactly("kept@example.com");
    }

    @Test
    void shouldGiveUpAHoleAsSoonAsThePeerAcknowledgesPastIt()
    {
        final Wire.Conn c = wire.connect("10.0.0.5", 5006, "192.0.2.1", 25);
        c.server("220 mx\r\n");
        c.clientLost(16);
        c.client("MAIL FROM:<a@f.example>\r\n");
        assertThat(analyser.heldBytes()).isEqualTo(25);
        c.server("250 ok\r\n");
        assertThat(analyser.heldBytes()).isZero();
        c.finBoth();
        assertThat(records.get(0).transactions()).singleElement()
            .satisfies(t -> assertThat(t.lastReply()).isEqualTo("250 ok"));
    }

    @Test
    void shouldEndIdleSessionsAfterTheTimeoutOfCaptureTime()
    {
        final Wire.Conn c = wire.connect("10.0.0.6", 5007, "192.0.2.1", 25);
        c.server("220 mx\r\n");
        wire.advanceMillis(Duration.ofMinutes(4).toMillis());
        assertThat(records).isEmpty();
        wire.advanceMillis(Duration.ofMinutes(2).toMillis());
        assertThat(records).singleElement().satisfies(r -> assertThat(r.endReason()).isEqualTo("idle"));
        assertThat(analyser.capHits(Cap.IDLE_TIMEOUT)).isEqualTo(1);
        assertThat(analyser.openSessions()).isZero();
    }

    @Test
    void shouldStartANewSessionWhenTheSamePortsReconnectWithANewSyn()
    {
        final Wire.Conn first = wire.connect("10.0.0.7", 5008, "192.0.2.1", 25);
        first.server("220 first\r\n");
        final Wire.Conn second = wire.connect("10.0.0.7", 5008, "192.0.2.1", 25);
        second.clientSeq += 77_000;
        second.segment(true, second.clientSeq - 1, 0, org.egress25.event.PacketEvent.TCP_SYN, null, 0, 0);
        second.server("220 second\r\n");
        wire.end();
        assertThat(records).extracting(SessionRecord::endReason).containsExactly("reused", "end-of-input");
    }

    @Test
    void shouldIgnoreStrayAcksOfConnectionsItDoesNotTrack()
    {
        final Wire.Conn c = wire.pickUp("10.0.0.8", 5009, "192.0.2.1", 25);
        c.segment(true, 1, 1, org.egress25.event.PacketEvent.TCP_ACK, null, 0, 0);
        c.segment(false, 1, 1, org.egress25.event.PacketEvent.TCP_FIN | org.egress25.event.PacketEvent.TCP_ACK, null, 0, 0);
        assertThat(analyser.openSessions()).isZero();
        wire.end();
        assertThat(records).isEmpty();
    }

    @Test
    void shouldCapConnectionsPerHostAndCountWhenItBites()
    {
        for (int port = 0; port < 70; port++)
        {
            wire.connect("10.0.0.9", 10_000 + port, "192.0.2.1", 25);
        }
        assertThat(analyser.openSessions()).isEqualTo(SmtpLimits.defaults().maxConnectionsPerHost());
        // Counted per segment that would have opened one: the SYN and the SYN-ACK of each of the 6 refused.
        assertThat(analyser.capHits(Cap.CONNECTIONS_PER_HOST)).isEqualTo(6 * 2);
        wire.connect("10.0.0.10", 10_000, "192.0.2.1", 25);
        assertThat(analyser.openSessions()).isEqualTo(SmtpLimits.defaults().maxConnectionsPerHost() + 1);
    }

    @Test
    void shouldCountCommandsByVerbAndRepliesByClass()
    {
        final Wire.Conn c = wire.connect("10.0.0.11", 5010, "192.0.2.1", 25);
        c.server("220 mx\r\n").client("HELO h.example\r\nNOOP\r\nXFOO bar\r\nQUIT\r\n")
            .server("250 ok\r\n250 ok\r\n500 what\r\n221 bye\r\n");
        c.finBoth();
        assertThat(analyser.commands(Verb.HELO)).isEqualTo(1);
        assertThat(analyser.commands(Verb.NOOP)).isEqualTo(1);
        assertThat(analyser.commands(Verb.UNKNOWN)).isEqualTo(1);
        assertThat(analyser.anomalies(Anomaly.UNKNOWN_COMMAND)).isEqualTo(1);
        assertThat(analyser.replies(2)).isEqualTo(4);
        assertThat(analyser.replies(5)).isEqualTo(1);
    }
}
