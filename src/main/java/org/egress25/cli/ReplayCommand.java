package org.egress25.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.egress25.decision.Decision;
import org.egress25.report.PolicyComparison;
import java.util.concurrent.Callable;
import org.egress25.capture.CaptureStats;
import org.egress25.capture.FileSource;
import org.egress25.pipeline.PipelineCounters;
import org.egress25.policy.Policy;
import org.egress25.report.FlaggedHostReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Offline analysis of a capture file through the same pipeline a gateway runs. The capture timestamps are
 * the clock, so the same file and rules give the same decisions every time.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay a pcap or pcapng file (optionally .gz) through the pipeline; decisions go to "
        + "standard output unless --decisions is given, the flagged-host report to standard error or --report.")
final class ReplayCommand implements Callable<Integer>
{
    @Parameters(paramLabel = "FILE", description = "Capture file (pcap, pcapng, gzip-compressed either).")
    Path file;

    @Mixin
    CommonOptions options = new CommonOptions();

    @Option(names = "--quiet", description = "No progress or report on standard error.")
    boolean quiet;

    @Option(names = "--compare-rules", paramLabel = "PATH",
        description = "Also judge the capture under these rules in the same pass and print the hosts whose verdicts "
            + "differ (blocked under one only, or at a different time or by another rule).")
    Path compareRules;

    @Option(names = "--state-dir", paramLabel = "DIR",
        description = "Keep the block journal here (default: none; a replay keeps its blocks in memory).")
    Path stateDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        if (quiet)
        {
            // before the first logger exists: slf4j-simple reads its level once
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        options.validate();
        if (!Files.isReadable(file))
        {
            throw new ConfigException("cannot read capture file " + file);
        }
        if (Files.isDirectory(file))
        {
            throw new ConfigException(file + " is a directory, not a capture file");
        }
        final Policy policy = Policies.load(options);
        final Policy candidate = compareRules == null ? null : Policies.load(compareRules, options.inside);
        final PrintWriter err = spec.commandLine().getErr();
        final PipelineCounters counters = new PipelineCounters();
        final FileSource source = new FileSource(file, policy, compareRules == null, counters);
        final Throwable failure;
        final long startNanos = System.nanoTime();
        try (Engine engine = new Engine(options, policy, source, System.out, stateDir, counters))
        {
            if (engine.metricsPort() > 0 && !quiet)
            {
                err.println("replay: metrics on http://" + options.metricsBind + ":" + engine.metricsPort() + "/metrics");
                err.flush();
            }
            final List<Decision> decidedA = new ArrayList<>();
            final List<Decision> decidedB = candidate == null ? null : engine.enableComparison(candidate, options);
            if (candidate != null)
            {
                engine.dispatcher.addListener(batch -> decidedA.addAll(batch));
            }
            engine.start();
            final Thread progress = quiet ? null : startProgress(source.stats(), err);
            failure = engine.awaitCompletion();
            if (progress != null)
            {
                progress.interrupt();
            }
            engine.closeSessionLog();
            engine.dispatcher.close();
            final FlaggedHostReport report = engine.report();
            if (options.report != null)
            {
                report.write(options.report);
            }
            if (candidate != null)
            {
                final PolicyComparison comparison = PolicyComparison.compare(decidedA, decidedB);
                final String nameA = options.rules == null ? "built-in rules" : options.rules.toString();
                err.print(comparison.toText(nameA, compareRules.toString()));
                err.flush();
                if (options.report != null)
                {
                    java.nio.file.Files.writeString(options.report.resolve("compare.json"),
                        new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                            .writeValueAsString(comparison.toMap(nameA, compareRules.toString())) + "\n");
                }
            }
            if (!quiet)
            {
                final double seconds = (System.nanoTime() - startNanos) / 1e9;
                final long packets = source.stats().captured();
                err.printf("replay: %,d packets in %.2f s (%,.0f packets/s), %,d SMTP segments, %d hosts flagged%n",
                    packets, seconds, packets / Math.max(seconds, 1e-9), engine.counters.smtpSegments(),
                    report.hosts().size());
                err.print(report.toText());
                err.flush();
            }
        }
        for (final String warning : CaptureWarnings.of(source.stats(), counters))
        {
            err.println("egress25: " + file + ": warning: " + warning);
        }
        if (failure != null)
        {
            err.println("egress25: replay of " + file + " stopped early: " + failure.getMessage());
            return Main.EXIT_FAILURE;
        }
        err.flush();
        return Main.EXIT_OK;
    }

    private static Thread startProgress(final CaptureStats stats, final PrintWriter err)
    {
        final Thread t = new Thread(() ->
        {
            try
            {
                while (true)
                {
                    Thread.sleep(5000);
                    final long total = stats.bytesTotal();
                    err.printf("replay: %,d packets read%s%n", stats.captured(),
                        total > 0 ? String.format(" (%.0f%%)", 100.0 * stats.bytesRead() / total) : "");
                    err.flush();
                }
            }
            catch (final InterruptedException e)
            {
                // finished
            }
        }, "egress25-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
