package org.egress25.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.egress25.policy.Policy;
import org.egress25.policy.PolicyException;
import org.egress25.policy.PolicyLoader;
import org.egress25.policy.PolicySummary;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code egress25 rules check PATH}: validate a rule set before it ships. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with rule files.",
    subcommands = RulesCommand.Check.class)
final class RulesCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: check");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a rule file or directory: exit 0 and print the effective policy when valid, "
            + "exit 2 with file:line:column messages when not.")
    static final class Check implements Callable<Integer>
    {
        @Parameters(paramLabel = "PATH", description = "Rule file or directory of *.yaml files.")
        Path path;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call()
        {
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            if (!Files.exists(path))
            {
                err.println(path + ": no such file or directory");
                return Main.EXIT_USAGE;
            }
            try
            {
                final Policy policy = PolicyLoader.load(path);
                out.print(PolicySummary.render(policy, Instant.now()));
                out.flush();
                return Main.EXIT_OK;
            }
            catch (final PolicyException e)
            {
                err.println(e.getMessage());
                err.flush();
                return Main.EXIT_USAGE;
            }
        }
    }
}
