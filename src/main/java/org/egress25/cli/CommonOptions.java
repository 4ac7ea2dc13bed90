package org.egress25.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by {@code run} and {@code replay}. */
final class CommonOptions
{
    @Option(names = "--rules", paramLabel = "PATH",
        description = "Rule file or directory of *.yaml rule files (default: the built-in rules, identical to rules/).")
    Path rules;

    @Option(names = "--inside", paramLabel = "CIDR",
        description = "Inside network (repeatable); networks no rule file classifies are judged detect-then-block.")
    List<String> inside = new ArrayList<>();

    @Option(names = "--decisions", paramLabel = "FILE",
        description = "Append decisions as JSON Lines to FILE (replay default: standard output).")
    Path decisions;

    @Option(names = "--sessions", paramLabel = "FILE", description = "Write one JSON line per SMTP session to FILE.")
    Path sessions;

    @Option(names = "--no-dialogue",
        description = "Rate analysis only: never read SMTP dialogues (no session log, no SMTP pattern detectors, "
            + "no dialogue evidence for the sequential test). For networks where mail envelopes must not be read, "
            + "and to measure what dialogue analysis costs.")
    boolean noDialogue;

    @Option(names = "--redact", description = "Redact mailbox local-parts in the session log (reports always redact).")
    boolean redact;

    @Option(names = "--report", paramLabel = "DIR",
        description = "Write the flagged-host report (report.json, report.txt) into DIR: at the end of a replay, "
            + "or when run stops (egress25 report shows it any time).")
    Path report;

    @Option(names = "--metrics-port", paramLabel = "N",
        description = "Serve Prometheus metrics on this port (0 picks one; run default 9325, replay default off).")
    Integer metricsPort;

    @Option(names = "--metrics-bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
        description = "Address the metrics endpoint binds to (default: ${DEFAULT-VALUE}).")
    String metricsBind;

    @Option(names = "--ring-size", paramLabel = "N", defaultValue = "16384",
        description = "Ring slots, a power of two (default: ${DEFAULT-VALUE}).")
    int ringSize;

    @Option(names = "--snaplen", paramLabel = "BYTES", defaultValue = "2048",
        description = "Bytes kept per frame (default: ${DEFAULT-VALUE}; SMTP lines are short).")
    int snapLength;

    @Option(names = "--max-hosts", paramLabel = "N", defaultValue = "1000000",
        description = "Cap on tracked inside hosts; the least recently seen are evicted beyond it (default: ${DEFAULT-VALUE}).")
    int maxHosts;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "262144",
        description = "Cap on tracked TCP connections (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--enforce", paramLabel = "KIND[,KIND]",
        description = "Enforcer(s): nftables, flowspec, exec or none (shadow mode); several with commas, e.g."
            + " nftables,flowspec. Overrides the rules; replay default none.")
    String enforce;

    @Option(names = "--syslog", paramLabel = "udp://HOST[:PORT]|tcp://HOST[:PORT]",
        description = "Also send every decision to this syslog collector (RFC 5424, the decision's JSON as the message).")
    String syslog;

    @Option(names = "--syslog-facility", paramLabel = "NAME", defaultValue = "daemon",
        description = "Syslog facility of those messages (default: ${DEFAULT-VALUE}).")
    String syslogFacility;

    @Option(names = "--reconcile-every", paramLabel = "DURATION", defaultValue = "30s",
        description = "How often the kernel sets are checked against the journal and corrected (default: ${DEFAULT-VALUE}).")
    String reconcileEvery;

    void validate()
    {
        if (ringSize < 64 || Integer.bitCount(ringSize) != 1)
        {
            throw new ConfigException("--ring-size must be a power of two of at least 64, got " + ringSize);
        }
        if (snapLength < 128 || snapLength > 65535)
        {
            throw new ConfigException("--snaplen must be between 128 and 65535, got " + snapLength);
        }
        if (maxHosts < 1)
        {
            throw new ConfigException("--max-hosts must be positive, got " + maxHosts);
        }
        if (maxConnections < 1)
        {
            throw new ConfigException("--max-connections must be positive, got " + maxConnections);
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535))
        {
            throw new ConfigException("--metrics-port must be 0..65535, got " + metricsPort);
        }
        if (noDialogue && sessions != null)
        {
            throw new ConfigException("--sessions logs SMTP dialogues, which --no-dialogue turns off: give one of them");
        }
        if (enforce != null)
        {
            Enforcement.names(enforce, "--enforce");
        }
        Enforcement.reconcileEvery(reconcileEvery);
    }
}
