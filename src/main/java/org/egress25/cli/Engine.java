package org.egress25.cli;

import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.egress25.analysis.Analyser;
import org.egress25.analysis.RateAnalyser;
import org.egress25.capture.PacketSource;
import org.egress25.decision.DecisionDispatcher;
import org.egress25.decision.DecisionLog;
import org.egress25.decision.Verdicts;
import org.egress25.metrics.DecisionMetrics;
import org.egress25.metrics.MetricsServer;
import org.egress25.metrics.PipelineCollector;
import org.egress25.pipeline.CommandQueue;
import org.egress25.pipeline.PacketProcessor;
import org.egress25.pipeline.Pipeline;
import org.egress25.pipeline.PipelineCounters;
import org.egress25.policy.Policy;
import org.egress25.report.FlaggedHostReport;
import org.egress25.report.ReportCollector;

/**
 * One running egress25: policy, analysers, pipeline, decision fan-out and metrics, assembled the same way
 * for {@code run} and {@code replay} so a replay exercises exactly what a gateway runs.
 */
final class Engine implements AutoCloseable
{
    final AtomicReference<Policy> policy;
    final PipelineCounters counters = new PipelineCounters();
    final CommandQueue commands = new CommandQueue();
    final DecisionDispatcher dispatcher = new DecisionDispatcher();
    final ReportCollector reports = new ReportCollector();
    final Verdicts verdicts;
    final RateAnalyser rate;
    final PacketProcessor processor;
    final Pipeline pipeline;
    final CollectorRegistry registry = MetricsServer.newRegistry();
    private final MetricsServer metrics = new MetricsServer(registry);

    Engine(
        final CommonOptions options,
        final Policy initialPolicy,
        final PacketSource source,
        final OutputStream defaultDecisionOut) throws IOException
    {
        policy = new AtomicReference<>(initialPolicy);
        verdicts = new Verdicts(dispatcher, initialPolicy.ladder());
        if (options.decisions != null)
        {
            dispatcher.addListener(DecisionLog.toFile(options.decisions));
        }
        else if (defaultDecisionOut != null)
        {
            dispatcher.addListener(DecisionLog.toStream(defaultDecisionOut));
        }
        dispatcher.addListener(reports);
        dispatcher.addListener(new DecisionMetrics(registry));

        rate = new RateAnalyser(policy::get, verdicts, options.maxHosts, options.maxConnections);
        final List<Analyser> analysers = new ArrayList<>();
        analysers.add(rate);
        processor = new PacketProcessor(policy::get, analysers, counters, commands, source.isLive());
        pipeline = new Pipeline(source, processor, counters, options.ringSize, options.snapLength);

        new PipelineCollector(source.stats(), counters, pipeline.ring()).register(registry);
        new org.egress25.metrics.AnalysisCollector(rate).register(registry);

        if (options.metricsPort != null)
        {
            metrics.start(options.metricsBind, options.metricsPort);
        }
    }

    int metricsPort()
    {
        return metrics.port();
    }

    void start()
    {
        dispatcher.start();
        pipeline.start();
    }

    /** Waits for the end of input; returns the source's failure or null. */
    Throwable awaitCompletion() throws InterruptedException
    {
        return pipeline.awaitCompletion();
    }

    /** Builds the flagged-host report from what the analysers and the decision log hold now. */
    FlaggedHostReport report()
    {
        return FlaggedHostReport.build(reports.snapshot(), rate.flaggedHosts());
    }

    void writeReport(final Path dir) throws IOException
    {
        report().write(dir);
    }

    @Override
    public void close()
    {
        pipeline.close();
        dispatcher.close();
        metrics.close();
    }
}
