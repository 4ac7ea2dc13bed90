package org.egress25.smtp;

/**
 * Framing shared by both directions of a dialogue, as Netty splits its SMTP decoder: this class cuts the
 * bytes of one direction into CRLF-terminated lines ({@link LineBuffer}), spots a TLS handshake record where
 * text was due, and after a gap drops a first line that does not start as its kind of line must (it may be
 * the tail of one whose head was lost); a subclass gives the lines their meaning.
 */
abstract class LineStream implements Reassembler.Consumer
{
    /** First byte of a TLS handshake record (RFC 8446 5.1, ContentType handshake). */
    private static final byte TLS_HANDSHAKE = 0x16;

    final Session session;
    final LineBuffer line;

    LineStream(final Session session, final int maxLineLength)
    {
        this.session = session;
        this.line = new LineBuffer(maxLineLength);
    }

    /** Bytes of the line buffer as grown so far. */
    final int lineBytesMade()
    {
        return line.bytes == null ? 0 : line.bytes.length;
    }

    /** Whether a line starts as this direction's lines must (a verb, a reply code): trusted after a gap. */
    abstract boolean startsRight(byte[] text, int length);

    /** One complete line, without its CRLF. */
    abstract void onLine(byte[] text, int length);

    /** Takes bytes of a line from {@code buffer[from, end)}; returns where the line (or the buffer) ended. */
    final int lineBytes(final byte[] buffer, final int from, final int end)
    {
        if (line.atCleanStart() && buffer[from] == TLS_HANDSHAKE)
        {
            session.tlsStarted();
            return end;
        }
        final int at = line.append(buffer, from, end);
        session.lineOverflow(line);
        if (line.complete() && (!line.resync || startsRight(line.bytes, line.length)))
        {
            onLine(line.bytes, line.length);
        }
        return at;
    }
}
