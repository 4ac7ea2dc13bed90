package org.egress25.smtp;

/**
 * Totals behind the SMTP metrics, plain longs written by the analysis thread only. Readers on other
 * threads (the metrics exporter) see slightly stale values, which is fine for counters.
 */
final class SmtpCounters
{
    /** Ports counted separately; any other port is pooled in the last row. */
    static final int MAX_PORTS = 8;

    final long[] commands = new long[Verb.ALL.length];
    /** Final replies by class: 1xx (never valid), 2xx, 3xx, 4xx, 5xx. */
    final long[] replies = new long[5];
    final long[] anomalies = new long[Anomaly.values().length];
    final long[] caps = new long[Cap.values().length];
    final int[] sessionPorts = new int[MAX_PORTS];
    final long[][] sessions = new long[MAX_PORTS + 1][TlsState.values().length];
    int sessionPortCount;
    long segments;
    long emptySessions;
    long retransmittedBytes;

    void session(final int port, final TlsState tls)
    {
        sessions[portRow(port, true)][tls.ordinal()]++;
    }

    long sessions(final int port, final TlsState tls)
    {
        final int row = portRow(port, false);
        return row < 0 ? 0 : sessions[row][tls.ordinal()];
    }

    private int portRow(final int port, final boolean add)
    {
        for (int i = 0; i < sessionPortCount; i++)
        {
            if (sessionPorts[i] == port)
            {
                return i;
            }
        }
        if (!add)
        {
            return -1;
        }
        if (sessionPortCount < MAX_PORTS)
        {
            sessionPorts[sessionPortCount] = port;
            return sessionPortCount++;
        }
        return MAX_PORTS;
    }
}
