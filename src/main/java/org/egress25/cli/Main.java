package org.egress25.cli;

import org.egress25.cli.log.LogFormat;
import org.egress25.cli.log.LogSettings;
import org.egress25.pipeline.UncaughtErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code egress25}: exit codes 0 ok, 1 failure, 2 usage or configuration error (a bad rule file, an unknown
 * option, an interface that does not exist).
 */
@Command(
    name = "egress25",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Port-25 abuse detection egress filter: finds inside hosts that behave like spambots and "
        + "blocks their outbound SMTP relay port, with expiry, exemptions, metrics and evidence.",
    subcommands = {
        RunCommand.class,
        ReplayCommand.class,
        RulesCommand.class,
        org.egress25.synth.SynthCommand.class,
        ControlCommands.Blocks.class,
        ControlCommands.Block.class,
        ControlCommands.Unblock.class,
        ControlCommands.Explain.class,
        ControlCommands.Report.class,
        ControlCommands.Reload.class,
        CommandLine.HelpCommand.class
    })
public final class Main implements Runnable
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Every command takes it; the daemon's records are the ones it is for (deploy/debian/egress25.service). */
    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "auto", scope = ScopeType.INHERIT,
        description = "Log records on standard error as text, journal (no timestamp, syslog priority prefix "
            + "<3>..<7>) or json (one object per line); auto (default) picks journal when standard error is "
            + "systemd's journal stream (JOURNAL_STREAM), text otherwise.")
    void logFormat(final String value)
    {
        try
        {
            LogSettings.use(LogFormat.parse(value, System.getenv()));
        }
        catch (final IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    public static void main(final String[] args)
    {
        UncaughtErrors.install();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests through {@code execute()}. */
    public static CommandLine commandLine()
    {
        final CommandLine cl = new CommandLine(new Main());
        // picocli asks this mapper for parse errors too: an unknown option is a usage error, as the README says
        cl.setExitCodeExceptionMapper(t -> t instanceof ConfigException || t instanceof CommandLine.ParameterException
            ? EXIT_USAGE : EXIT_FAILURE);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            if (ex instanceof ConfigException)
            {
                Status.error(commandLine.getErr(), ex.getMessage());
                return EXIT_USAGE;
            }
            Status.error(commandLine.getErr(), ex.toString());
            if (System.getenv("EGRESS25_DEBUG") != null)
            {
                ex.printStackTrace(commandLine.getErr());
            }
            return EXIT_FAILURE;
        });
        return cl;
    }

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (run, replay, rules)");
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"egress25 " + (v == null ? "dev" : v)};
        }
    }
}
