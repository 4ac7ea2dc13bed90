package org.egress25.decision;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each decision to a syslog collector as one RFC 5424 message whose MSG is the decision's JSON, so an ISP's
 * existing log pipeline (rsyslog, syslog-ng, Vector, Graylog) gets every gateway's verdicts without a file
 * shipper:
 *
 * <pre>
 *   &lt;28&gt;1 2026-12-04T01:43:00.417Z gw1 egress25 4242 block - {"time":"...","host":"10.0.3.4","action":"block",...}
 * </pre>
 *
 * <p>PRI is the facility (default {@code daemon}) with severity warning for a block, notice for an alert and info
 * for an unblock; MSGID is the action, so a collector can route on it without parsing the JSON. No structured
 * data: its SD-IDs need a private enterprise number, and the JSON already carries every field.
 *
 * <p>Transports: {@code udp://HOST[:PORT]} (RFC 5426; one datagram a message, nothing waits) and
 * {@code tcp://HOST[:PORT]} (RFC 6587 octet counting; reconnects once per batch after a failure). The port
 * defaults to 514. A collector that is down costs a counted error per message, never a stalled dispatcher: the
 * TCP connect and write time out after 2 s.
 */
public final class SyslogSender implements DecisionListener
{
    private static final Logger LOG = LoggerFactory.getLogger(SyslogSender.class);
    private static final int DEFAULT_PORT = 514;
    private static final int TIMEOUT_MILLIS = 2_000;
    /** RFC 5426 section 3.2: IPv4 receivers must accept 480 octets and should accept 2,048; most take 64 KiB. */
    private static final int MAX_DATAGRAM = 65_000;
    private static final List<String> FACILITIES = List.of("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
        "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7");

    private final boolean tcp;
    private final InetSocketAddress collector;
    private final int facility;
    private final String hostname;
    private final String procId;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private DatagramSocket udpSocket;
    private Socket tcpSocket;
    private OutputStream tcpOut;

    /**
     * @param target   {@code udp://HOST[:PORT]} or {@code tcp://HOST[:PORT]}
     * @param facility a syslog facility name: {@code daemon}, {@code local0} … {@code local7}, …
     * @throws IllegalArgumentException naming what is wrong with either
     */
    public SyslogSender(final String target, final String facility, final String hostname)
    {
        final URI uri;
        try
        {
            uri = new URI(target);
        }
        catch (final java.net.URISyntaxException e)
        {
            throw new IllegalArgumentException("--syslog: '" + target + "' is not udp://HOST[:PORT] or tcp://HOST[:PORT]");
        }
        if (!"udp".equals(uri.getScheme()) && !"tcp".equals(uri.getScheme()) || uri.getHost() == null
            || uri.getPath() != null && !uri.getPath().isEmpty())
        {
            throw new IllegalArgumentException("--syslog: '" + target + "' is not udp://HOST[:PORT] or tcp://HOST[:PORT]");
        }
        final int index = FACILITIES.indexOf(facility.toLowerCase(Locale.ROOT));
        if (index < 0)
        {
            throw new IllegalArgumentException("--syslog-facility: '" + facility + "' is not one of " + FACILITIES);
        }
        this.tcp = "tcp".equals(uri.getScheme());
        this.collector = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort());
        this.facility = index;
        this.hostname = printable(hostname, 255);
        this.procId = Long.toString(ProcessHandle.current().pid());
    }

    @Override
    public void onDecisions(final List<Decision> batch)
    {
        boolean reconnected = false;
        for (final Decision decision : batch)
        {
            final byte[] message = format(decision).getBytes(StandardCharsets.UTF_8);
            try
            {
                send(message);
                sent.incrementAndGet();
            }
            catch (final IOException e)
            {
                closeTcp();
                if (tcp && !reconnected)
                {
                    reconnected = true;
                    try
                    {
                        send(message);
                        sent.incrementAndGet();
                        continue;
                    }
                    catch (final IOException again)
                    {
                        closeTcp();
                    }
                }
                if (errors.incrementAndGet() % 100 == 1)
                {
                    LOG.warn("syslog: cannot send decisions to {}://{}:{}: {} ({} lost so far)", tcp ? "tcp" : "udp",
                        collector.getHostString(), collector.getPort(), e.getMessage(), errors.get());
                }
            }
        }
    }

    /** The RFC 5424 message for one decision, without framing. */
    String format(final Decision decision)
    {
        final int severity = switch (decision.action())
        {
            case BLOCK -> 4;
            case ALERT -> 5;
            default -> 6;
        };
        return "<" + (facility * 8 + severity) + ">1 "
            + DateTimeFormatter.ISO_INSTANT.format(decision.time()) + ' '
            + hostname + " egress25 " + procId + ' ' + decision.action().label() + " - "
            + DecisionJson.toJson(decision);
    }

    private void send(final byte[] message) throws IOException
    {
        if (!tcp)
        {
            if (udpSocket == null)
            {
                udpSocket = new DatagramSocket();
            }
            udpSocket.send(new DatagramPacket(message, Math.min(message.length, MAX_DATAGRAM), collector));
            return;
        }
        if (tcpOut == null)
        {
            final Socket socket = new Socket();
            socket.connect(collector, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            tcpSocket = socket;
            tcpOut = socket.getOutputStream();
        }
        // RFC 6587 section 3.4.1: MSG-LEN SP SYSLOG-MSG, so a message may hold any byte, newlines included
        tcpOut.write((message.length + " ").getBytes(StandardCharsets.US_ASCII));
        tcpOut.write(message);
        tcpOut.flush();
    }

    private void closeTcp()
    {
        if (tcpSocket != null)
        {
            try
            {
                tcpSocket.close();
            }
            catch (final IOException e)
            {
                // already broken; the next send connects afresh
            }
        }
        tcpSocket = null;
        tcpOut = null;
    }

    /** Messages handed to the collector's socket. */
    public long sent()
    {
        return sent.get();
    }

    /** Messages that could not be sent (collector down, refused, unreachable). */
    public long errors()
    {
        return errors.get();
    }

    @Override
    public void onClose()
    {
        closeTcp();
        if (udpSocket != null)
        {
            udpSocket.close();
        }
    }

    /** RFC 5424 HOSTNAME is printable US-ASCII without spaces, at most 255 characters; "-" when unknown. */
    private static String printable(final String text, final int max)
    {
        if (text == null || text.isEmpty())
        {
            return "-";
        }
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < max; i++)
        {
            final char c = text.charAt(i);
            out.append(c > 32 && c < 127 ? c : '_');
        }
        return out.toString();
    }
}
