package org.egress25.cli;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Histogram;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.egress25.analysis.Analyser;
import org.egress25.analysis.RateAnalyser;
import org.egress25.analysis.SequentialVerdict;
import org.egress25.capture.PacketSource;
import org.egress25.host.Action;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionDispatcher;
import org.egress25.decision.DecisionLog;
import org.egress25.host.HostKey;
import org.egress25.decision.Source;
import org.egress25.decision.Verdicts;
import org.egress25.enforce.ActiveBlock;
import org.egress25.enforce.BlockJournal;
import org.egress25.enforce.BlockStore;
import org.egress25.enforce.EnforcerService;
import org.egress25.enforce.ReconcileReport;
import org.egress25.metrics.AnalysisCollector;
import org.egress25.metrics.DecisionLogCollector;
import org.egress25.metrics.DecisionMetrics;
import org.egress25.metrics.EnforcementCollector;
import org.egress25.metrics.MetricsServer;
import org.egress25.metrics.ErrorCollector;
import org.egress25.metrics.PipelineCollector;
import org.egress25.metrics.SmtpCollector;
import org.egress25.pipeline.AnalysisStage;
import org.egress25.pipeline.CommandQueue;
import org.egress25.pipeline.PacketProcessor;
import org.egress25.pipeline.Pipeline;
import org.egress25.pipeline.UncaughtErrors;
import org.egress25.pipeline.PipelineCounters;
import org.egress25.policy.Policy;
import org.egress25.report.FlaggedHostReport;
import org.egress25.report.ReportCollector;
import org.egress25.report.ReportHistory;
import org.egress25.report.SmtpReport;
import org.egress25.smtp.QueuedSessionSink;
import org.egress25.smtp.SessionLogWriter;
import org.egress25.smtp.SmtpAnalyser;
import org.egress25.smtp.SmtpHostSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running egress25: policy, analysers, pipeline, decision fan-out, enforcement and metrics, assembled the
 * same way for {@code run} and {@code replay} so a replay exercises exactly what a gateway runs.
 *
 * <p>Threads: capture (producer), analysis (the ring's consumer; owns every analyser and {@link Verdicts}),
 * decisions (log, report, metrics, enforcer hand-off), enforcer (journal, then nft), control (HTTP).
 */
final class Engine implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    final AtomicReference<Policy> policy;
    final PipelineCounters counters;
    final CommandQueue commands = new CommandQueue();
    final DecisionDispatcher dispatcher = new DecisionDispatcher();
    final ReportCollector reports = new ReportCollector();
    final Verdicts verdicts;
    final RateAnalyser rate;
    final SmtpAnalyser smtp;
    final SequentialVerdict sequential;
    private final QueuedSessionSink sessionLog;
    final PacketProcessor processor;
    final Pipeline pipeline;
    final EnforcerService enforcer;
    final String enforcerKind;
    private final boolean live;
    final CollectorRegistry registry = MetricsServer.newRegistry();
    private final MetricsServer metrics = new MetricsServer(registry);
    private final ScheduledExecutorService policyRefresh = Executors.newSingleThreadScheduledExecutor(r ->
    {
        final Thread t = new Thread(r, "egress25-policy-refresh");
        t.setDaemon(true);
        return t;
    });

    Engine(
        final CommonOptions options,
        final Policy initialPolicy,
        final PacketSource source,
        final OutputStream defaultDecisionOut,
        final Path stateDir,
        final PipelineCounters counters) throws IOException
    {
        this.counters = counters;
        this.live = source.isLive();
        policy = new AtomicReference<>(initialPolicy);
        verdicts = new Verdicts(dispatcher, initialPolicy.ladder());
        final DecisionLog decisionLog = options.decisions != null ? DecisionLog.toFile(options.decisions)
            : defaultDecisionOut != null ? DecisionLog.toStream(defaultDecisionOut) : null;
        if (decisionLog != null)
        {
            if (options.decisions != null && source.isLive())
            {
                // a restarted gateway's report still knows every host flagged before the restart; read after
                // opening, which has cut back a record a crash left torn
                ReportHistory.restore(options.decisions, reports);
            }
            dispatcher.addListener(decisionLog);
            new DecisionLogCollector(decisionLog).register(registry);
        }
        if (options.syslog != null)
        {
            dispatcher.addListener(Syslog.sender(options.syslog, options.syslogFacility, registry));
        }
        dispatcher.addListener(reports);
        dispatcher.addListener(new DecisionMetrics(registry));

        final Histogram enforceLatency = Histogram.build("egress25_enforcer_apply_seconds",
                "Time to apply one batch of decisions to the firewall (one nft transaction).")
            .buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .register(registry);
        enforcerKind = Enforcement.kind(options, initialPolicy, source.isLive());
        final BlockJournal journal = Enforcement.journal(stateDir);
        enforcer = Enforcement.service(
            Enforcement.buildAll(enforcerKind, initialPolicy, nanos -> enforceLatency.observe(nanos / 1e9)),
            journal, initialPolicy, Enforcement.reconcileEvery(options.reconcileEvery));
        // detector decisions go to the enforcer; manual and reconcile ones were applied by it already
        dispatcher.addListener(batch ->
        {
            for (final Decision d : batch)
            {
                if (d.source() == Source.DETECTOR && d.action() != Action.ALERT)
                {
                    enforcer.submit(d);
                }
            }
        });
        enforcer.setReconcileListener(batch -> batch.forEach(dispatcher::accept));
        seedVerdicts(enforcer.store());

        sessionLog = options.sessions == null ? null
            : new QueuedSessionSink(SessionLogWriter.open(options.sessions, options.redact), 65_536, source.isLive());
        final AnalysisStage main = AnalysisStage.build(policy::get, verdicts, sessionLog, options.maxHosts,
            options.maxConnections, !options.noDialogue);
        if (options.noDialogue)
        {
            LOG.info("SMTP dialogue analysis is off (--no-dialogue): rate detectors and connect failures only");
        }
        rate = main.rate();
        smtp = main.smtp();
        sequential = main.sequential();
        final List<Analyser> analysers = main.all();
        processor = new PacketProcessor(policy::get, analysers, counters, commands, source.isLive());
        pipeline = new Pipeline(source, processor, counters, options.ringSize, options.snapLength);

        new PipelineCollector(source.stats(), counters, pipeline.ring()).register(registry);
        new ErrorCollector(pipeline.errors(), UncaughtErrors.process()).register(registry);
        new AnalysisCollector(rate).register(registry);
        new SmtpCollector(smtp, !options.noDialogue).register(registry);
        new EnforcementCollector(enforcer).register(registry);

        if (options.metricsPort != null)
        {
            try
            {
                metrics.start(options.metricsBind, options.metricsPort);
            }
            catch (final java.net.BindException e)
            {
                enforcer.close();
                throw new ConfigException("cannot serve metrics on " + options.metricsBind + ":" + options.metricsPort
                    + ": " + e.getMessage() + " (is another egress25 running? choose another --metrics-port)");
            }
        }
    }

    /** Blocks and strikes from the journal, so a restart neither re-blocks a blocked host nor forgets its ladder. */
    private void seedVerdicts(final BlockStore store)
    {
        final Instant now = Instant.now();
        for (final String host : store.strikeHosts())
        {
            final long[] strikeNanos = strikeNanos(store, host);
            final long until = store.active(host, now).map(b -> b.expires() == null ? Long.MAX_VALUE : nanos(b.expires()))
                .orElse(0L);
            verdicts.restoreBlock(HostKey.parse(host), until, strikeNanos);
        }
    }

    /** When the host's strikes end, from the journal's store, in the capture-clock form Verdicts keeps. */
    static long[] strikeNanos(final BlockStore store, final String host)
    {
        return store.strikeEnds(host).stream().mapToLong(end -> end == null ? Long.MAX_VALUE : nanos(end)).toArray();
    }

    static long nanos(final Instant instant)
    {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    int metricsPort()
    {
        return metrics.port();
    }

    void start()
    {
        final ReconcileReport reconciled;
        try
        {
            reconciled = enforcer.start();
        }
        catch (final IllegalStateException e)
        {
            throw new ConfigException(e.getMessage(), e);
        }
        if (reconciled != null)
        {
            LOG.info("enforcer {}: {}", enforcerKind, reconciled.summary());
            for (final Decision d : reconciled.decisions())
            {
                dispatcher.accept(d);
            }
        }
        applyClassPolicy(policy.get());
        // exemptions expire on their own: refresh the kernel's copy of them once a minute
        policyRefresh.scheduleAtFixedRate(() -> applyClassPolicy(policy.get()), 60, 60, TimeUnit.SECONDS);
        dispatcher.start();
        pipeline.start();
    }

    /**
     * The class-level half of the policy, which the kernel enforces by network rather than by host:
     * block-by-default classes, exempt customers, and the ISP's relays as allowed destinations.
     */
    private void applyClassPolicy(final Policy current)
    {
        enforcer.applyPolicy(current, Instant.now());
    }

    /**
     * Judges a second policy in the same pass ({@code replay --compare-rules}). Its decisions go only to the
     * returned list (filled on the analysis thread; read it after the replay ended), never to the log or an
     * enforcer.
     */
    List<Decision> enableComparison(final Policy other, final CommonOptions options)
    {
        final List<Decision> decided = new ArrayList<>();
        final AtomicReference<Policy> otherPolicy = new AtomicReference<>(other);
        final Verdicts otherVerdicts = new Verdicts(decided::add, other.ladder());
        processor.setComparison(otherPolicy::get, AnalysisStage.build(otherPolicy::get, otherVerdicts, null, options.maxHosts,
            options.maxConnections, !options.noDialogue).all());
        return decided;
    }

    /** Swaps the policy between events; per-host state stays. */
    void applyPolicy(final Policy next)
    {
        applyClassPolicy(next);
        commands.submit(() ->
        {
            policy.set(next);
            verdicts.setLadder(next.ladder());
            return null;
        });
    }

    /** Waits for the end of input; returns the source's failure or null. */
    Throwable awaitCompletion() throws InterruptedException
    {
        return pipeline.awaitCompletion();
    }

    /**
     * Builds the flagged-host report from what the analysers and the decision log hold now; call on the
     * analysis thread (a command) or after the pipeline ended. Hosts no rate rule fired for still get their
     * class and, while the rate analyser tracks them, first and last seen.
     */
    FlaggedHostReport report()
    {
        final Map<String, Map<String, Object>> dialogue = new HashMap<>();
        for (final SmtpHostSummary summary : smtp.flaggedHosts())
        {
            dialogue.put(summary.host(), SmtpReport.redacted(summary));
        }
        final List<org.egress25.analysis.FlaggedHost> traffic = rate.flaggedHosts();
        final java.util.Set<String> detailed = new java.util.HashSet<>();
        for (final org.egress25.analysis.FlaggedHost t : traffic)
        {
            detailed.add(t.host());
        }
        final long clock = processor.clockNanos();
        final Instant asOf = live || clock == 0 ? Instant.now() : Verdicts.toInstant(clock);
        final long nowNanos = nanos(asOf);
        final Map<String, FlaggedHostReport.HostFacts> facts = new HashMap<>();
        final Policy current = policy.get();
        for (final ReportCollector.HostDecisions d : reports.snapshot())
        {
            if (!detailed.contains(d.host()))
            {
                final HostKey key = HostKey.parse(d.host());
                final org.egress25.policy.HostClass cls = current.classify(key.hi(), key.lo());
                final org.egress25.analysis.HostSnapshot seen = rate.snapshot(key.hi(), key.lo(), nowNanos);
                facts.put(d.host(), new FlaggedHostReport.HostFacts(cls == null ? null : cls.name(),
                    seen == null ? null : seen.firstSeen(), seen == null ? null : seen.lastSeen()));
            }
        }
        return FlaggedHostReport.build(reports.snapshot(), traffic, dialogue, facts, asOf);
    }

    /** Writes report.json and report.txt; call once the pipeline has ended (analyser state is then safe to read). */
    void writeReport(final Path dir) throws IOException
    {
        report().write(dir);
    }

    List<ActiveBlock> activeBlocks()
    {
        return enforcer.store().activeBlocks(Instant.now());
    }

    /** Flushes and closes the session log; call after the pipeline has ended. */
    void closeSessionLog()
    {
        if (sessionLog != null)
        {
            try
            {
                sessionLog.close();
            }
            catch (final IOException e)
            {
                LOG.error("closing the session log: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close()
    {
        policyRefresh.shutdownNow();
        pipeline.close();
        closeSessionLog();
        dispatcher.close();
        enforcer.close();
        metrics.close();
    }
}
