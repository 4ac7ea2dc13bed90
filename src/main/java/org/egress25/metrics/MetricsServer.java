package org.egress25.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The Prometheus endpoint. Bound to 127.0.0.1 unless told otherwise: a gateway's metrics name internal
 * figures an operator may not want on the subscriber side.
 */
public final class MetricsServer implements AutoCloseable
{
    private final CollectorRegistry registry;
    private HTTPServer server;

    public MetricsServer(final CollectorRegistry registry)
    {
        this.registry = registry;
    }

    /** A registry with the JVM's own collectors (memory, GC, threads) already in it. */
    public static CollectorRegistry newRegistry()
    {
        final CollectorRegistry registry = new CollectorRegistry(true);
        DefaultExports.register(registry);
        return registry;
    }

    /** Starts serving; port 0 picks a free port (see {@link #port()}). */
    public void start(final String bindAddress, final int port) throws IOException
    {
        server = new HTTPServer(new InetSocketAddress(bindAddress, port), registry, true);
    }

    public int port()
    {
        return server == null ? -1 : server.getPort();
    }

    @Override
    public void close()
    {
        if (server != null)
        {
            server.close();
        }
    }
}
