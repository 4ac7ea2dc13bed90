package org.egress25.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionLogWriterTest
{
    private static SessionRecord record()
    {
        return new SessionRecord(Instant.parse("2026-11-28T01:02:03.5Z"), Instant.parse("2026-11-28T01:02:04Z"),
            "2001:db8::7", 40000, "192.0.2.25", 25, "mail.example.org", TlsState.NONE, 1, 1,
            List.of(new SessionRecord.Transaction("john.doe@example.org", List.of("ann@example.net", "postmaster"), 2, 1,
                "accepted", 120, "250 2.0.0 Ok: queued as X"),
                new SessionRecord.Transaction("", List.of(), 0, 0, "none", 0, null)),
            new int[] {6, 1, 0, 2}, Map.of("gap", 1), true, true, 300, 200, "quit", 2, 1, 1, 1, 1, 2, true,
            new int[] {220, 250}, "554 5.7.1 blocked using zen.spamhaus.org");
    }

    private static String write(final boolean redact) throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SessionLogWriter writer = new SessionLogWriter(out, redact))
        {
            writer.accept(record());
            writer.accept(record());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteOneJsonObjectPerLineWithTheSessionLogFields() throws Exception
    {
        final String text = write(false);
        final String[] lines = text.split("\n");
        assertThat(lines).hasSize(2);
        assertThat(text).endsWith("}\n");
        final JsonNode json = new ObjectMapper().readTree(lines[0]);
        assertThat(json.fieldNames()).toIterable().startsWith("start", "end", "client", "client_port", "server",
            "server_port", "helo", "tls", "auth", "transactions", "replies", "anomalies");
        assertThat(json.get("start").asText()).isEqualTo("2026-11-28T01:02:03.500Z");
        assertThat(json.get("client").asText()).isEqualTo("2001:db8::7");
        assertThat(json.get("auth").toString()).isEqualTo("{\"attempts\":1,\"failures\":1}");
        assertThat(json.get("replies").toString()).isEqualTo("{\"2xx\":6,\"3xx\":1,\"4xx\":0,\"5xx\":2}");
        assertThat(json.get("anomalies").toString()).isEqualTo("{\"gap\":1}");
        assertThat(json.get("blocklist_reply").asText()).contains("zen.spamhaus.org");
        final JsonNode tx = json.get("transactions").get(0);
        assertThat(tx.fieldNames()).toIterable().startsWith("mail_from", "rcpt_to", "rcpt_rejected", "data", "last_reply");
        assertThat(tx.get("mail_from").asText()).isEqualTo("john.doe@example.org");
        assertThat(json.get("transactions").get(1).get("last_reply").isNull()).isTrue();
    }

    @Test
    void shouldRedactLocalPartsButKeepDomainsAndTheNullSender() throws Exception
    {
        final JsonNode json = new ObjectMapper().readTree(write(true).split("\n")[0]);
        final JsonNode tx = json.get("transactions").get(0);
        assertThat(tx.get("mail_from").asText()).isEqualTo("j***@example.org");
        assertThat(tx.get("rcpt_to").toString()).isEqualTo("[\"a***@example.net\",\"p***\"]");
        assertThat(json.get("transactions").get(1).get("mail_from").asText()).isEmpty();
        assertThat(json.get("helo").asText()).isEqualTo("mail.example.org");
    }

    @Test
    void shouldRedactMailboxesInReplyTextsAsInTheEnvelope() throws Exception
    {
        final SessionRecord vrfy = new SessionRecord(Instant.parse("2026-11-28T01:02:03Z"),
            Instant.parse("2026-11-28T01:02:04Z"), "192.0.2.7", 40000, "198.51.100.25", 25, "alice.secret@corp.example", TlsState.NONE,
            0, 0, List.of(new SessionRecord.Transaction("", List.of(), 0, 0, "none", 0,
                "250 2.1.5 Alice Secret <alice.secret@corp.example>")),
            new int[] {2, 0, 1, 0}, Map.of(), true, true, 100, 100, "quit", 0, 0, 0, 0, 0, 1, true, new int[] {250},
            "554 5.7.1 <bob+tag@mail.example.net>: from 192.0.2.7 blocked using zen.spamhaus.org; mail abuse@isp.example");
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (SessionLogWriter writer = new SessionLogWriter(out, true))
        {
            writer.accept(vrfy);
        }
        final String line = out.toString(StandardCharsets.UTF_8);
        assertThat(line).doesNotContain("alice.secret", "bob+tag", "abuse@");
        final JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("transactions").get(0).get("last_reply").asText())
            .isEqualTo("250 2.1.5 Alice Secret <a***@corp.example>");
        assertThat(json.get("helo").asText()).isEqualTo("a***@corp.example");
        assertThat(json.get("blocklist_reply").asText()).isEqualTo(
            "554 5.7.1 <b***@mail.example.net>: from 192.0.2.7 blocked using zen.spamhaus.org; mail a***@isp.example");
        assertThat(SessionLogWriter.redactMailboxesIn("421 4.7.0 try later")).isEqualTo("421 4.7.0 try later");
        assertThat(SessionLogWriter.redactMailboxesIn("550 @ alone, x@, @y")).isEqualTo("550 @ alone, x***@, @y");
    }

    @Test
    void shouldCountWriteFailuresInsteadOfThrowingOnTheAnalysisThread()
    {
        final SessionLogWriter writer = new SessionLogWriter(new java.io.OutputStream()
        {
            @Override
            public void write(final int b) throws java.io.IOException
            {
                throw new java.io.IOException("No space left on device");
            }
        }, false);
        for (int i = 0; i < 2000; i++)
        {
            writer.accept(record());
        }
        assertThat(writer.failures()).isPositive();
        assertThat(writer.firstError()).hasMessage("No space left on device");
    }
}
