package org.egress25.synth;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code egress25 synth}: writes a labelled test capture (or the replay benchmark capture). A developer tool,
 * added by the CLI as a subcommand; usable on its own through {@link #main}.
 */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
        "Writes a synthetic, labelled capture: inside hosts browsing, submitting and relaying mail, and abusing",
        "port 25 (mass-senders, spambots, harvesters, AUTH brute force, scanners), as a classic pcap, with",
        "labels.json (host, kind, expectedVerdict, note) beside it. The same seed writes the same bytes."
    },
    footer = {
        "",
        "Host kinds: web-user submission-user implicit-tls-user nat-office small-mta business-mta mass-sender",
        "slow-spambot directory-harvester auth-brute-forcer port25-scanner ipv6-spambot. Default: one of each.",
        "",
        "Examples:",
        "  egress25 synth /tmp/mixed.pcap --seed 7 --duration 10m --background 200000",
        "  egress25 synth /tmp/spam.pcap --no-default-hosts --hosts mass-sender=3 --hosts web-user=20",
        "  egress25 synth /tmp/bench.pcap --benchmark-packets 4000000",
        "  egress25 synth /tmp/mixed.pcap --score /tmp/decisions.jsonl   (after egress25 replay ... --decisions)"
    })
public final class SynthCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OUT.pcap", description = "Capture to write; labels.json goes beside it.")
    private Path out;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--start", paramLabel = "INSTANT", defaultValue = "2026-11-28T08:00:00Z",
        description = "Capture time of the first packet, ISO-8601 (default: ${DEFAULT-VALUE}).")
    private String start;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10m",
        description = "How long hosts keep starting activities: 90s, 10m, 2h or PT10M (default: ${DEFAULT-VALUE}).")
    private String duration;

    @Option(names = "--hosts", paramLabel = "KIND=N", description = "Number of hosts of a kind; repeatable.")
    private Map<String, Integer> hosts = new LinkedHashMap<>();

    @Option(names = "--no-default-hosts", description = "Start from no hosts, so --hosts lists every host.")
    private boolean noDefaultHosts;

    @Option(names = "--inside", paramLabel = "CIDR",
        description = "Inside prefix; repeatable (default: 10.0.0.0/16, 100.64.0.0/10, 2001:db8:100::/48).")
    private List<String> inside = new ArrayList<>();

    @Option(names = "--background", paramLabel = "PACKETS", defaultValue = "0",
        description = "Web, DNS and QUIC background packets spread over the duration (default: ${DEFAULT-VALUE}).")
    private long background;

    @Option(names = "--benchmark-packets", paramLabel = "PACKETS",
        description = "Write the replay benchmark mix instead: exactly PACKETS packets, no labels; other options "
            + "except --seed are ignored.")
    private Long benchmarkPackets;

    @Option(names = "--hard-test-bed",
        description = "Add one host of every kind of the harder test bed (busy business MTA, newsletter server, backup"
            + " MX, greylisted sender, CGNAT home server, office with MTA, misconfigured client; low-and-slow, TLS-only,"
            + " CGNAT, rotating IPv6 and mostly-accepted bots, a hijacked MTA) and the business prefix 172.16.0.0/16."
            + " Give --duration 1h or more: the low-and-slow bot and the hijacked MTA take their time.")
    private boolean hardTestBed;

    @Option(names = "--score", paramLabel = "DECISIONS.jsonl",
        description = "Do not generate: compare a replay's decisions with the labels.json beside OUT.pcap, print "
            + "the table, and exit 0 when every host got its expected verdict, 1 otherwise.")
    private Path score;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new SynthCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter stdout = spec.commandLine().getOut();
        final Path parent = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "directory " + parent + " does not exist");
        }
        if (score != null)
        {
            final Scorecard card;
            try
            {
                card = Scorecard.score(parent.resolve("labels.json"), score);
            }
            catch (final java.nio.file.NoSuchFileException e)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getFile() + " does not exist");
            }
            catch (final IllegalArgumentException e)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            stdout.print(card.table());
            stdout.println();
            stdout.print(card.kindTable());
            stdout.flush();
            return card.allAgree() ? 0 : 1;
        }
        if (benchmarkPackets != null)
        {
            if (benchmarkPackets <= 0)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--benchmark-packets must be positive");
            }
            TrafficGenerator.writeMixedBenchmark(out, benchmarkPackets, seed);
            stdout.printf("wrote %,d packets (%,d bytes) to %s%n", benchmarkPackets, Files.size(out), out);
            return 0;
        }
        final Scenario scenario = scenario();
        final Labels labels = new TrafficGenerator(scenario).write(out);
        stdout.printf("wrote %s (%,d bytes) and %s: %d hosts, %d abusive%n", out, Files.size(out),
            parent.resolve("labels.json"), labels.hosts().size(), labels.abusive().size());
        return 0;
    }

    private Scenario scenario()
    {
        final Scenario.Builder builder = Scenario.builder().seed(seed).backgroundPackets(background);
        try
        {
            builder.start(Instant.parse(start));
        }
        catch (final DateTimeParseException e)
        {
            throw new CommandLine.ParameterException(
                spec.commandLine(), "--start '" + start + "' is not an ISO-8601 instant such as 2026-11-28T08:00:00Z");
        }
        builder.duration(parseDuration(duration));
        if (noDefaultHosts)
        {
            builder.noHosts();
        }
        try
        {
            for (final Map.Entry<String, Integer> entry : hosts.entrySet())
            {
                builder.hosts(HostKind.fromLabel(entry.getKey()), entry.getValue());
            }
            if (hardTestBed)
            {
                Scenario.hardTestBed(builder, inside.isEmpty());
            }
            for (final String prefix : inside)
            {
                builder.inside(prefix);
            }
            return builder.build();
        }
        catch (final IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Duration parseDuration(final String text)
    {
        try
        {
            return org.egress25.policy.Durations.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration " + e.getMessage());
        }
    }
}
