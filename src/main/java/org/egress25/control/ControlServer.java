package org.egress25.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.egress25.report.FlaggedHostReport;
import org.egress25.report.Redaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The abuse desk's handle on a running instance: a Unix domain socket (default
 * {@value #DEFAULT_SOCKET}) on which the kernel tells us who connected ({@code SO_PEERCRED}), so that only
 * root and the members of {@link Access#mutateGroup()} can block, unblock and reload, and the members of
 * {@link Access#readGroup()} can look. A browser page cannot reach a Unix socket at all, so there is no
 * CSRF or DNS-rebinding route in; there is no TCP listener.
 *
 * <p>Protocol, one exchange per connection: the client sends one JSON object on one line (at most
 * {@value #MAX_REQUEST_BYTES} bytes), the daemon answers one JSON object and closes.
 *
 * <pre>
 * {"command":"blocks"}                                     active blocks
 * {"command":"block","host":H,"for":"2h","reason":R[,"force":true]}   manual block for a duration; an
 *                                                          outside host needs force; "not_made" when the
 *                                                          journal cannot record it
 * {"command":"unblock","host":H,"reason":R}                lift a block; strike history is kept
 * {"command":"reload"}                                     re-read the rule files now
 * {"command":"explain","host":H}                           why H is or is not blocked
 * {"command":"report","format":"json|text|html|xarf","host":H}   the flagged-host report (xarf: one host)
 *
 * answer: {"ok":true,"result":...}  or  {"ok":false,"refused":"denied|bad_request|busy|not_made|failed","error":"..."}
 * </pre>
 *
 * <p>Bounded: a client has {@value #READ_DEADLINE_MS} ms to send its request and {@value #WRITE_DEADLINE_MS} ms
 * to take the answer, after which its connection is closed; at most {@value #MAX_CONNECTIONS} exchanges run at
 * once and {@value #MAX_CONNECTIONS_PER_UID} per uid, so one user holding unfinished requests open cannot
 * lock anyone else out (the HTTP endpoint this replaced froze for 60 s on one unfinished POST).
 *
 * <p>The socket file is mode 0666 and the daemon decides, so that someone refused reads why (which group
 * they need) instead of a bare "permission denied" from connect(2). Every mutation is logged with who asked,
 * and the reason the decisions log and the block journal keep names them as well.
 */
public final class ControlServer implements AutoCloseable
{
    public static final String DEFAULT_SOCKET = "/run/egress25/control.sock";
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    static final long READ_DEADLINE_MS = 5_000;
    static final long WRITE_DEADLINE_MS = 10_000;
    static final int MAX_CONNECTIONS = 32;
    static final int MAX_CONNECTIONS_PER_UID = 4;

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Operations operations;
    private final Access access;
    private final Accounts accounts;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Map<Integer, Integer> openByUid = new HashMap<>();
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r ->
        daemon(r, "egress25-control-deadline"));
    private ServerSocketChannel server;
    private Path socket;
    private Thread acceptor;

    public ControlServer(final Operations operations, final Access access)
    {
        this(operations, access, Accounts.system());
    }

    ControlServer(final Operations operations, final Access access, final Accounts accounts)
    {
        this.operations = operations;
        this.access = access;
        this.accounts = accounts;
    }

    /**
     * Binds the socket, creating its directory (0755) if needed. A socket file left by a killed instance is
     * replaced; one that still answers belongs to a running instance and is refused.
     */
    public void start(final Path socketPath) throws IOException
    {
        socket = socketPath.toAbsolutePath();
        final Path dir = socket.getParent();
        if (!Files.isDirectory(dir))
        {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (Files.exists(socket))
        {
            if (answers(socket))
            {
                throw new IOException("another egress25 is listening on " + socket);
            }
            Files.delete(socket);
        }
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket), MAX_CONNECTIONS);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        acceptor = daemon(this::acceptLoop, "egress25-control");
        acceptor.start();
        LOG.info("control socket {} (block/unblock/reload: root and group {}; blocks/explain/report: also group {})",
            socket, access.mutateGroup(), access.readGroup());
    }

    public Path socket()
    {
        return socket;
    }

    private static boolean answers(final Path path)
    {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path)))
        {
            return probe.isConnected();
        }
        catch (final IOException e)
        {
            return false;
        }
    }

    /** What the endpoint can do; implemented by the running engine. */
    public interface Operations
    {
        Object blocks();

        /** @param force block a host outside every inside class (recorded as manual-forced) */
        Object block(String host, String duration, String reason, boolean force);

        Object unblock(String host, String reason);

        Object reload();

        Object explain(String host);

        FlaggedHostReport report();
    }

    /** An operator's mistake (bad address, unknown host): answered with the message. */
    public static final class BadRequest extends RuntimeException
    {
        public BadRequest(final String message)
        {
            super(message);
        }
    }

    private void acceptLoop()
    {
        while (server.isOpen())
        {
            final SocketChannel client;
            try
            {
                client = server.accept();
            }
            catch (final ClosedChannelException e)
            {
                return;
            }
            catch (final IOException e)
            {
                LOG.warn("control socket accept failed: {}", e.getMessage());
                continue;
            }
            if (!slots.tryAcquire())
            {
                refuseBusy(client, "busy: " + MAX_CONNECTIONS + " control requests are open, try again");
                continue;
            }
            daemon(() ->
            {
                try
                {
                    serve(client);
                }
                finally
                {
                    slots.release();
                }
            }, "egress25-control-request").start();
        }
    }

    private void serve(final SocketChannel client)
    {
        final Caller caller;
        try
        {
            final UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
            caller = accounts.caller(peer.user().getName(), peer.group().getName());
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.warn("control socket: peer credentials unavailable ({}), connection refused", e.toString());
            refuseBusy(client, "the daemon could not tell who you are; refused");
            return;
        }
        if (!enter(caller.uid()))
        {
            refuseBusy(client, "busy: " + MAX_CONNECTIONS_PER_UID + " requests of uid " + caller.uid() + " are open");
            return;
        }
        try (client)
        {
            final JsonNode request = readRequest(client);
            if (request == null)
            {
                return;
            }
            write(client, answer(caller, request));
        }
        catch (final IOException e)
        {
            LOG.debug("control request of {} ended: {}", caller.audit(), e.toString());
        }
        finally
        {
            leave(caller.uid());
        }
    }

    private synchronized boolean enter(final int uid)
    {
        final int open = openByUid.getOrDefault(uid, 0);
        if (open >= MAX_CONNECTIONS_PER_UID)
        {
            return false;
        }
        openByUid.put(uid, open + 1);
        return true;
    }

    private synchronized void leave(final int uid)
    {
        openByUid.computeIfPresent(uid, (k, open) -> open <= 1 ? null : open - 1);
    }

    /** The request line, or null (after answering) when it was late, too long or not JSON. */
    private JsonNode readRequest(final SocketChannel client) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        final ScheduledFuture<?> deadline = closeAfter(client, READ_DEADLINE_MS);
        boolean complete = false;
        try
        {
            while (!complete && buffer.hasRemaining())
            {
                final int start = buffer.position();
                complete = client.read(buffer) < 0 || contains(buffer, start, (byte)'\n');
            }
        }
        catch (final ClosedChannelException e)
        {
            LOG.info("control socket: a request was not complete within {} ms; connection closed", READ_DEADLINE_MS);
            return null;
        }
        finally
        {
            deadline.cancel(false);
        }
        if (!complete)
        {
            write(client, refusal("bad_request", "request longer than " + MAX_REQUEST_BYTES + " bytes"));
            return null;
        }
        final String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
        try
        {
            final JsonNode node = JSON.readTree(text);
            if (node != null && node.isObject())
            {
                return node;
            }
        }
        catch (final IOException e)
        {
            // answered below
        }
        write(client, refusal("bad_request", "the request must be one JSON object on one line"));
        return null;
    }

    private static boolean contains(final ByteBuffer buffer, final int from, final byte value)
    {
        for (int i = from; i < buffer.position(); i++)
        {
            if (buffer.get(i) == value)
            {
                return true;
            }
        }
        return false;
    }

    /** Runs one request for one caller: authorisation, then the operation; never throws. */
    ObjectNode answer(final Caller caller, final JsonNode request)
    {
        final String label = request.path("command").asText("");
        final Access.Command command = Access.Command.parse(label);
        if (command == null)
        {
            return refusal("bad_request", "unknown command '" + label + "' (blocks, block, unblock, reload, explain, report)");
        }
        if (!access.allows(caller, command))
        {
            LOG.warn("control: refused {} for {}{}", label, caller.audit(),
                request.hasNonNull("host") ? " on " + request.get("host").asText() : "");
            return refusal("denied", access.refusal(caller, command));
        }
        try
        {
            final Object result = run(caller, command, request);
            final ObjectNode ok = JSON.createObjectNode();
            ok.put("ok", true);
            // defence in depth: reports are redacted when built, and whatever else an answer quotes is here
            ok.set("result", Redaction.tree(JSON.valueToTree(result)));
            return ok;
        }
        catch (final BadRequest | IllegalArgumentException e)
        {
            return refusal("bad_request", String.valueOf(e.getMessage()));
        }
        catch (final IllegalStateException e)
        {
            // not made: the journal cannot record it, or the enforcer thread did not answer; the message says which
            LOG.error("control request {} of {} not made: {}", label, caller.audit(), e.getMessage());
            return refusal("not_made", String.valueOf(e.getMessage()));
        }
        catch (final RuntimeException e)
        {
            LOG.error("control request {} of {} failed", label, caller.audit(), e);
            return refusal("failed", e.toString());
        }
    }

    private Object run(final Caller caller, final Access.Command command, final JsonNode request)
    {
        switch (command)
        {
            case BLOCKS:
                return operations.blocks();
            case EXPLAIN:
                return operations.explain(required(request, "host"));
            case REPORT:
                return ReportFormats.render(operations.report(), request.path("format").asText("json"),
                    request.path("host").asText(null), request.path("reporter").asText("abuse@localhost"));
            case BLOCK:
            {
                final String host = required(request, "host");
                final String duration = required(request, "for");
                final String reason = required(request, "reason");
                final boolean force = request.path("force").asBoolean(false);
                LOG.info("control: {} blocks {} for {}{}: {}", caller.audit(), host, duration, force ? " (forced)" : "",
                    reason);
                return operations.block(host, duration, audited(reason, caller), force);
            }
            case UNBLOCK:
            {
                final String host = required(request, "host");
                final String reason = required(request, "reason");
                LOG.info("control: {} unblocks {}: {}", caller.audit(), host, reason);
                return operations.unblock(host, audited(reason, caller));
            }
            case RELOAD:
                LOG.info("control: {} reloads the rules", caller.audit());
                return operations.reload();
            default:
                throw new IllegalStateException("unhandled command " + command);
        }
    }

    /** The operator's reason with who gave it, so the decisions log and the journal record both. */
    static String audited(final String reason, final Caller caller)
    {
        return reason + " [by " + caller.audit() + "]";
    }

    private static String required(final JsonNode body, final String field)
    {
        final JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank())
        {
            throw new BadRequest("'" + field + "' is required");
        }
        return value.asText();
    }

    private static ObjectNode refusal(final String kind, final String message)
    {
        final ObjectNode node = JSON.createObjectNode();
        node.put("ok", false);
        node.put("refused", kind);
        node.put("error", message);
        return node;
    }

    private void write(final SocketChannel client, final ObjectNode answer) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(answer) + "\n").getBytes(StandardCharsets.UTF_8));
        final ScheduledFuture<?> deadline = closeAfter(client, WRITE_DEADLINE_MS);
        try
        {
            while (bytes.hasRemaining())
            {
                client.write(bytes);
            }
        }
        finally
        {
            deadline.cancel(false);
        }
    }

    /** A short refusal written from the accepting thread: never waits on the client beyond one small write. */
    private void refuseBusy(final SocketChannel client, final String message)
    {
        try (client)
        {
            client.configureBlocking(false);
            client.write(ByteBuffer.wrap((JSON.writeValueAsString(refusal("busy", message)) + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        }
        catch (final IOException e)
        {
            // the client went away: nothing to tell it
        }
    }

    private ScheduledFuture<?> closeAfter(final SocketChannel client, final long millis)
    {
        return deadlines.schedule(() ->
        {
            try
            {
                client.close();
            }
            catch (final IOException e)
            {
                // closing is all we wanted
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private static Thread daemon(final Runnable body, final String name)
    {
        final Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** A small ordered map for responses. */
    public static Map<String, Object> map(final Object... keyValues)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2)
        {
            m.put((String)keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Override
    public void close()
    {
        deadlines.shutdownNow();
        if (server != null)
        {
            try
            {
                server.close();
                Files.deleteIfExists(socket);
            }
            catch (final IOException e)
            {
                LOG.warn("closing the control socket {}: {}", socket, e.getMessage());
            }
        }
    }
}
