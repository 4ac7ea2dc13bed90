package org.egress25.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.egress25.capture.BpfFilters;
import java.nio.file.Path;
import org.egress25.capture.LiveSource;
import org.egress25.control.Access;
import org.egress25.control.ControlServer;
import org.egress25.metrics.ReloadCollector;
import org.egress25.policy.PolicyReloader;
import org.egress25.policy.Policy;
import org.pcap4j.core.PcapNativeException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Live capture on a gateway interface until SIGINT or SIGTERM. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Capture live on an interface, detect spambot behaviour, and emit (and enforce) decisions.")
final class RunCommand implements Callable<Integer>
{
    @Option(names = {"-i", "--interface"}, required = true, paramLabel = "IF",
        description = "Interface to capture on (any = all interfaces, as Linux cooked capture).")
    String interfaceName;

    @Option(names = "--filter", paramLabel = "BPF",
        description = "Kernel capture filter (default: TCP on the rules' SMTP ports, on Ethernet also inside VLAN tags).")
    String filter;

    @Option(names = "--promisc", description = "Put the interface in promiscuous mode (not needed on a routing gateway).")
    boolean promiscuous;

    @Option(names = "--buffer-size", paramLabel = "BYTES", defaultValue = "33554432",
        description = "Kernel capture buffer (default: ${DEFAULT-VALUE}); raise it when egress25_pcap_dropped_total grows.")
    int bufferBytes;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/egress25",
        description = "Where the block journal lives, so blocks and strikes survive restarts (default: ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--control-socket", paramLabel = "PATH", defaultValue = ControlServer.DEFAULT_SOCKET,
        description = "Unix socket for blocks/block/unblock/explain/report (default: ${DEFAULT-VALUE}).")
    Path controlSocket;

    @Option(names = "--control-group", paramLabel = "GROUP", defaultValue = Access.DEFAULT_MUTATE_GROUP,
        description = "Group whose members (besides root) may block, unblock and reload (default: ${DEFAULT-VALUE}).")
    String controlGroup;

    @Option(names = "--control-read-group", paramLabel = "GROUP", defaultValue = Access.DEFAULT_READ_GROUP,
        description = "Group whose members may list blocks, explain and read the report (default: ${DEFAULT-VALUE}).")
    String controlReadGroup;

    @Option(names = {"--control-port", "--control-bind"}, paramLabel = "X", hidden = true,
        description = "Gone: the control endpoint is a Unix socket now.")
    String tcpControl;

    @Option(names = "--reload-max-removal", paramLabel = "PERCENT", defaultValue = "50",
        description = "A rules reload after a file change that would remove more than this share of the running "
            + "exemptions or classes, or a whole rule file, is held until SIGHUP (default: ${DEFAULT-VALUE}).")
    int reloadMaxRemovalPercent;

    @Option(names = "--pid-file", paramLabel = "FILE",
        description = "Write the process id here while running, for kill -HUP (default: egress25.pid in the state dir).")
    Path pidFile;

    @Mixin
    CommonOptions options = new CommonOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        options.validate();
        if (reloadMaxRemovalPercent < 0 || reloadMaxRemovalPercent > 100)
        {
            throw new ConfigException("--reload-max-removal must be 0..100 (percent), got " + reloadMaxRemovalPercent);
        }
        if (tcpControl != null)
        {
            throw new ConfigException("the control endpoint is a Unix socket now (--control-socket PATH, default "
                + ControlServer.DEFAULT_SOCKET + ", with access by group): there is no TCP listener, so no"
                + " --control-port or --control-bind");
        }
        if (options.metricsPort == null)
        {
            options.metricsPort = 9325;
        }
        final Policy policy = Policies.load(options);
        final PrintWriter err = spec.commandLine().getErr();
        final LiveSource source = new LiveSource(interfaceName,
            linkType -> filter != null ? filter : BpfFilters.smtpPorts(policy.smtpPorts(), linkType),
            options.snapLength, promiscuous, bufferBytes);
        try
        {
            source.open();
        }
        catch (final PcapNativeException e)
        {
            throw new ConfigException("cannot capture on " + interfaceName + ": " + e.getMessage()
                + (e.getMessage() != null && e.getMessage().contains("ermission") ? " (run as root or grant CAP_NET_RAW)" : ""));
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        final Path pid = pidFile != null ? pidFile : stateDir.resolve("egress25.pid");
        final Engine engine = new Engine(options, policy, source, System.out, stateDir, new org.egress25.pipeline.PipelineCounters());
        final PolicyReloader reloader = options.rules == null ? null
            : new PolicyReloader(options.rules, policy, p -> Policies.withInside(p, options.inside), engine::applyPolicy,
                reloadMaxRemovalPercent / 100.0);
        final ControlServer control = new ControlServer(new EngineOperations(engine, reloader),
            new Access(controlGroup, controlReadGroup));
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            if (reloader != null)
            {
                reloader.close();
            }
            control.close();
            engine.close();
            if (options.report != null)
            {
                try
                {
                    engine.writeReport(options.report);
                }
                catch (final java.io.IOException | RuntimeException e)
                {
                    Status.error(err, "could not write the report to " + options.report + ": " + e);
                }
            }
            PidFile.remove(pid);
            stopped.countDown();
        }, "egress25-shutdown"));
        engine.start();
        if (options.report != null)
        {
            startReportWriter(engine, options.report);
        }
        try
        {
            control.start(controlSocket);
        }
        catch (final java.io.IOException e)
        {
            throw new ConfigException("cannot open the control socket " + controlSocket + ": " + e.getMessage()
                + " (is another egress25 running? use --control-socket)");
        }
        if (reloader != null)
        {
            reloader.start(true);
            new ReloadCollector(reloader).register(engine.registry);
        }
        else
        {
            // built-in rules cannot change, but which ones are running is still worth a series
            io.prometheus.client.Gauge.build("egress25_rules_active_info", "The rules in force, by hash; one series valued 1.")
                .labelNames("hash").register(engine.registry).labels(policy.hash()).set(1);
        }
        try
        {
            PidFile.write(pid);
        }
        catch (final java.io.IOException e)
        {
            throw new ConfigException("cannot write the pid file " + pid + ": " + e.getMessage() + " (use --pid-file)");
        }
        Status.info(err, "running on " + interfaceName + ", rules " + policy.sourceDescription()
            + ", enforcer " + engine.enforcerKind + ", metrics on http://" + options.metricsBind + ":"
            + engine.metricsPort() + "/metrics, control on " + control.socket());
        final Throwable failure = engine.awaitCompletion();
        if (failure != null)
        {
            Status.error(err, "capture on " + interfaceName + " failed: " + failure.getMessage());
            return Main.EXIT_FAILURE;
        }
        stopped.await();
        return Main.EXIT_OK;
    }

    /**
     * Rewrites the report in {@code dir} once a minute while running, so a kill -9 loses at most a minute of
     * it (the decisions themselves are in the decisions log, which the next start reads back).
     */
    private static void startReportWriter(final Engine engine, final Path dir)
    {
        final java.util.concurrent.ScheduledExecutorService writer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r ->
            {
                final Thread t = new Thread(r, "egress25-report-writer");
                t.setDaemon(true);
                return t;
            });
        writer.scheduleWithFixedDelay(() ->
        {
            try
            {
                engine.commands.submit(engine::report).get(10, java.util.concurrent.TimeUnit.SECONDS).write(dir);
            }
            catch (final Exception e)
            {
                org.slf4j.LoggerFactory.getLogger(RunCommand.class).warn("could not write the report to {}: {}", dir,
                    e.toString());
            }
        }, 60, 60, java.util.concurrent.TimeUnit.SECONDS);
    }
}
