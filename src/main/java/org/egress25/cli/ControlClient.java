package org.egress25.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/** Talks to a running instance's control endpoint; shared by blocks, block, unblock, explain and report. */
final class ControlClient
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--control-port", paramLabel = "N", defaultValue = "9326",
        description = "Control endpoint port of the running instance (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--control-host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
        description = "Control endpoint address (default: ${DEFAULT-VALUE}).")
    String host;

    /** The endpoint's JSON answer; a clear "not running" when nothing listens. */
    JsonNode get(final String path, final Map<String, String> query) throws IOException, InterruptedException
    {
        final StringBuilder uri = new StringBuilder(base()).append(path);
        char sep = '?';
        for (final Map.Entry<String, String> e : query.entrySet())
        {
            uri.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return send(HttpRequest.newBuilder(URI.create(uri.toString())).GET());
    }

    JsonNode post(final String path, final Map<String, String> body) throws IOException, InterruptedException
    {
        return send(HttpRequest.newBuilder(URI.create(base() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private String base()
    {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private JsonNode send(final HttpRequest.Builder request) throws IOException, InterruptedException
    {
        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        final HttpResponse<String> response;
        try
        {
            response = client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final ConnectException e)
        {
            throw new NotRunning("egress25 is not running (no control endpoint on " + host + ":" + port + ")");
        }
        final JsonNode node = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (response.statusCode() == 400)
        {
            throw new ConfigException(node.path("error").asText("bad request"));
        }
        if (response.statusCode() != 200)
        {
            throw new IOException("control endpoint answered " + response.statusCode() + ": " + node.path("error").asText());
        }
        return node;
    }

    static String pretty(final JsonNode node) throws IOException
    {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    /** The daemon is down: exit 1 with the message, never a stack trace. */
    static final class NotRunning extends RuntimeException
    {
        NotRunning(final String message)
        {
            super(message);
        }
    }
}
