package org.egress25.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The abuse desk's handle on a running instance: a small JSON-over-HTTP endpoint, bound to 127.0.0.1 by
 * default so that only someone already on the gateway can lift or make a block. The {@code egress25 blocks,
 * block, unblock, explain, report} commands are its clients.
 *
 * <pre>
 * GET  /blocks                      active blocks
 * POST /block    {host, for, reason[, force]} manual block for a duration (e.g. "2h"); 400 for an outside
 *                                   host without force, 503 when the journal cannot record it (not made)
 * POST /unblock  {host, reason}      lift a block; strike history is kept
 * GET  /explain?host=H               why H is or is not blocked
 * GET  /report                       the flagged-host report
 * </pre>
 */
public final class ControlServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Operations operations;
    private HttpServer server;

    public ControlServer(final Operations operations)
    {
        this.operations = operations;
    }

    public void start(final String bindAddress, final int port) throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "egress25-control");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/blocks", exchange -> handle(exchange, "GET", () -> operations.blocks()));
        server.createContext("/block", exchange -> handle(exchange, "POST", () ->
        {
            final JsonNode body = body(exchange);
            return operations.block(required(body, "host"), required(body, "for"), required(body, "reason"),
                body.path("force").asBoolean(false));
        }));
        server.createContext("/unblock", exchange -> handle(exchange, "POST", () ->
        {
            final JsonNode body = body(exchange);
            return operations.unblock(required(body, "host"), required(body, "reason"));
        }));
        server.createContext("/explain", exchange -> handle(exchange, "GET", () ->
            operations.explain(query(exchange, "host"))));
        server.createContext("/report", exchange -> handle(exchange, "GET", () -> operations.report()));
        server.start();
        LOG.info("control endpoint on http://{}:{}/", bindAddress, port());
    }

    public int port()
    {
        return server == null ? -1 : server.getAddress().getPort();
    }

    /** What the endpoint can do; implemented by the running engine. */
    public interface Operations
    {
        Object blocks();

        /** @param force block a host outside every inside class (recorded as such) */
        Object block(String host, String duration, String reason, boolean force);

        Object unblock(String host, String reason);

        Object explain(String host);

        Object report();
    }

    /** An operator's mistake (bad address, unknown host): 400 with the message. */
    public static final class BadRequest extends RuntimeException
    {
        public BadRequest(final String message)
        {
            super(message);
        }
    }

    @FunctionalInterface
    private interface Action
    {
        Object run() throws IOException;
    }

    private static void handle(final HttpExchange exchange, final String method, final Action action) throws IOException
    {
        try (exchange)
        {
            if (!method.equals(exchange.getRequestMethod()))
            {
                send(exchange, 405, Map.of("error", "use " + method));
                return;
            }
            try
            {
                send(exchange, 200, action.run());
            }
            catch (final BadRequest | IllegalArgumentException e)
            {
                send(exchange, 400, Map.of("error", String.valueOf(e.getMessage())));
            }
            catch (final IllegalStateException e)
            {
                // not made: the journal cannot be written, the enforcer thread did not answer
                send(exchange, 503, Map.of("error", String.valueOf(e.getMessage())));
            }
            catch (final RuntimeException e)
            {
                LOG.error("control request {} failed", exchange.getRequestURI(), e);
                send(exchange, 500, Map.of("error", e.toString()));
            }
        }
    }

    private static JsonNode body(final HttpExchange exchange) throws IOException
    {
        final JsonNode node = JSON.readTree(exchange.getRequestBody());
        if (node == null || !node.isObject())
        {
            throw new BadRequest("request body must be a JSON object");
        }
        return node;
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

    private static String query(final HttpExchange exchange, final String name)
    {
        final String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null)
        {
            for (final String pair : raw.split("&"))
            {
                final int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals(name))
                {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
        }
        throw new BadRequest("query parameter '" + name + "' is required");
    }

    private static void send(final HttpExchange exchange, final int status, final Object body) throws IOException
    {
        final byte[] bytes = (body instanceof String text ? text : JSON.writerWithDefaultPrettyPrinter()
            .writeValueAsString(body)).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
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
        if (server != null)
        {
            server.stop(0);
        }
    }
}
