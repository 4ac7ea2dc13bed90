package org.egress25.smtp;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The session log ({@code --sessions FILE}): JSON Lines, one object per SMTP connection when it ends.
 *
 * <pre>
 * {"start":"2023-03-27T15:17:37.100Z","end":"...","client":"10.0.0.1","client_port":44478,
 *  "server":"192.0.2.25","server_port":25,"helo":"Bob-PC","tls":"none",
 *  "auth":{"attempts":0,"failures":0},
 *  "transactions":[{"mail_from":"bob@example.org","rcpt_to":["alice@example.org"],"rcpt_rejected":0,
 *                   "data":"accepted","last_reply":"250 OK id=1pgobK","rcpt_count":1,"data_bytes":23}],
 *  "replies":{"2xx":5,"3xx":1,"4xx":0,"5xx":0},"anomalies":{},"blocklist_reply":null,
 *  "directions":"both","bytes_client":160,"bytes_server":410,"end_reason":"quit"}
 * </pre>
 *
 * The fields through {@code anomalies} are the ones README.md's "Session log" lists; the rest are the first reply that
 * named a DNS blocklist (any command, not only a transaction's last), how much of the connection the capture
 * held ({@code directions}: both, client or server), how big it was and why it ended.
 *
 * <p>Redaction ({@code --redact}) keeps the first character of each mailbox's local part and the whole
 * domain: {@code john.doe@example.com} becomes {@code j***@example.com}. The domain is what an abuse desk
 * needs (fan-out to many domains, a provider's MX); one character is not enough to recover a name, and
 * unlike a salted hash the result reads at a glance. The null sender stays {@code ""}. Reply text
 * ({@code last_reply}, {@code blocklist_reply}) is redacted the same way wherever it holds a mailbox: servers
 * echo recipients ({@code 550 5.1.1 <john@example.com>: unknown}) and VRFY answers name them; so is a HELO
 * argument that holds one ({@code EHLO alice.secret@example.com} from a misconfigured client). The log is not
 * redacted by default: it is the operator's own traffic.
 *
 * <p>Writes go to a 64 KB buffer on the analysis thread, so a session costs a memory copy, not a system
 * call; {@link #flush()} pushes it out (the CLI calls it on its report tick and at exit).
 */
public final class SessionLogWriter implements SessionSink, Flushable, Closeable
{
    private static final JsonFactory JSON = new JsonFactory();

    private final OutputStream out;
    private final JsonGenerator json;
    private final boolean redact;
    private long written;
    private long failures;
    private IOException firstError;

    public SessionLogWriter(final OutputStream out, final boolean redact)
    {
        this.out = new BufferedOutputStream(out, 64 * 1024);
        this.redact = redact;
        try
        {
            this.json = JSON.createGenerator(this.out, JsonEncoding.UTF8);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, true);
        // Lines are ended by hand after each object; no separator between root values on top of that.
        json.setRootValueSeparator(null);
    }

    /** Appends to {@code file}, creating it if needed. */
    public static SessionLogWriter open(final Path file, final boolean redact) throws IOException
    {
        return new SessionLogWriter(
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
            redact);
    }

    /**
     * Writes one session. An I/O error (disk full) does not stop the analysis thread: it is counted, the
     * first one is kept for {@link #firstError()}, and the next session tries again.
     */
    @Override
    public void accept(final SessionRecord s)
    {
        try
        {
            write(s);
            json.flush();
            out.write('\n');
            written++;
        }
        catch (final IOException e)
        {
            failures++;
            if (firstError == null)
            {
                firstError = e;
            }
        }
    }

    public long written()
    {
        return written;
    }

    /** Sessions that could not be written. */
    public long failures()
    {
        return failures;
    }

    /** The first write error, or null. */
    public IOException firstError()
    {
        return firstError;
    }

    private void write(final SessionRecord s) throws IOException
    {
        json.writeStartObject();
        json.writeStringField("start", s.start().toString());
        json.writeStringField("end", s.end().toString());
        json.writeStringField("client", s.client());
        json.writeNumberField("client_port", s.clientPort());
        json.writeStringField("server", s.server());
        json.writeNumberField("server_port", s.serverPort());
        json.writeStringField("helo", freeText(s.helo()));
        json.writeStringField("tls", s.tls().label());
        json.writeObjectFieldStart("auth");
        json.writeNumberField("attempts", s.authAttempts());
        json.writeNumberField("failures", s.authFailures());
        json.writeEndObject();
        json.writeArrayFieldStart("transactions");
        for (final SessionRecord.Transaction t : s.transactions())
        {
            json.writeStartObject();
            json.writeStringField("mail_from", mailbox(t.mailFrom()));
            json.writeArrayFieldStart("rcpt_to");
            for (final String r : t.rcptTo())
            {
                json.writeString(mailbox(r));
            }
            json.writeEndArray();
            json.writeNumberField("rcpt_rejected", t.rcptRejected());
            json.writeStringField("data", t.data());
            json.writeStringField("last_reply", freeText(t.lastReply()));
            json.writeNumberField("rcpt_count", t.rcptCount());
            json.writeNumberField("data_bytes", t.dataBytes());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeObjectFieldStart("replies");
        for (int c = 2; c <= 5; c++)
        {
            json.writeNumberField(c + "xx", s.replies(c));
        }
        json.writeEndObject();
        json.writeObjectFieldStart("anomalies");
        for (final Anomaly kind : Anomaly.values())
        {
            final int n = s.anomaly(kind);
            if (n > 0)
            {
                json.writeNumberField(kind.label(), n);
            }
        }
        json.writeEndObject();
        json.writeStringField("blocklist_reply", freeText(s.blocklistReply()));
        json.writeStringField("directions", s.directions());
        json.writeNumberField("bytes_client", s.clientBytes());
        json.writeNumberField("bytes_server", s.serverBytes());
        json.writeStringField("end_reason", s.endReason());
        json.writeEndObject();
    }

    private String mailbox(final String address)
    {
        return redact ? redactMailbox(address) : address;
    }

    /** Reply text or a HELO argument: under redaction, any mailbox in it is redacted. */
    private String freeText(final String text)
    {
        return redact ? redactMailboxesIn(text) : text;
    }

    /**
     * Every mailbox in free text (a local part of RFC 5322 atext and dots, '@', a domain or address literal)
     * redacted as {@link #redactMailbox} does; the rest of the text as it was. Null passes through.
     */
    public static String redactMailboxesIn(final String text)
    {
        if (text == null || text.indexOf('@') < 0)
        {
            return text;
        }
        final StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int at = text.indexOf('@');
        while (at >= 0)
        {
            int localStart = at;
            while (localStart > copied && isLocalChar(text.charAt(localStart - 1)))
            {
                localStart--;
            }
            int domainEnd = at + 1;
            while (domainEnd < text.length() && isDomainChar(text.charAt(domainEnd)))
            {
                domainEnd++;
            }
            if (localStart < at)
            {
                out.append(text, copied, localStart).append(redactMailbox(text.substring(localStart, domainEnd)));
                copied = domainEnd;
            }
            at = text.indexOf('@', Math.max(at + 1, domainEnd));
        }
        return out.append(text, copied, text.length()).toString();
    }

    private static boolean isLocalChar(final char c)
    {
        return Character.isLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.\"".indexOf(c) >= 0;
    }

    private static boolean isDomainChar(final char c)
    {
        return Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '[' || c == ']';
    }

    /** {@code john@example.com} to {@code j***@example.com}; null and the null sender pass through. */
    public static String redactMailbox(final String address)
    {
        if (address == null || address.isEmpty())
        {
            return address;
        }
        final int at = address.lastIndexOf('@');
        final String local = at < 0 ? address : address.substring(0, at);
        final String domain = at < 0 ? "" : address.substring(at);
        return (local.isEmpty() ? "" : local.substring(0, local.offsetByCodePoints(0, 1))) + "***" + domain;
    }

    @Override
    public void flush() throws IOException
    {
        json.flush();
        out.flush();
    }

    @Override
    public void close() throws IOException
    {
        json.close();
    }
}
