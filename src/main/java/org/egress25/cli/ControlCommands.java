package org.egress25.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The abuse desk's commands against a running {@code egress25 run}. */
final class ControlCommands
{
    private ControlCommands()
    {
    }

    /** Shared shape: call the endpoint, print JSON or text, exit 1 with a plain message when it is down. */
    abstract static class ControlCommand implements Callable<Integer>
    {
        @Mixin
        ControlClient client = new ControlClient();

        @Option(names = "--json", description = "Print the endpoint's JSON as it is.")
        boolean json;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract JsonNode call(ControlClient c) throws Exception;

        abstract String text(JsonNode answer);

        @Override
        public Integer call() throws Exception
        {
            final PrintWriter out = spec.commandLine().getOut();
            final JsonNode answer;
            try
            {
                answer = call(client);
            }
            catch (final ControlClient.Refused e)
            {
                spec.commandLine().getErr().println("egress25: " + e.getMessage());
                return Main.EXIT_FAILURE;
            }
            out.print(json ? ControlClient.pretty(answer) + "\n" : text(answer));
            out.flush();
            return Main.EXIT_OK;
        }
    }

    @Command(name = "blocks", mixinStandardHelpOptions = true, description = "List active blocks of the running instance.")
    static final class Blocks extends ControlCommand
    {
        @Override
        JsonNode call(final ControlClient c) throws Exception
        {
            return c.call("blocks", Map.of());
        }

        @Override
        String text(final JsonNode answer)
        {
            final StringBuilder sb = new StringBuilder();
            final JsonNode blocks = answer.path("blocks");
            sb.append(String.format("%d active block(s), enforcer %s%n", blocks.size(), answer.path("enforcer").asText()));
            if (blocks.size() > 0)
            {
                sb.append(String.format("%-39s %-24s %-20s %-20s %7s  %-16s %s%n", "HOST", "RULE", "SINCE", "EXPIRES",
                    "STRIKES", "ENFORCED BY", "REASON"));
            }
            for (final JsonNode b : blocks)
            {
                final java.util.StringJoiner where = new java.util.StringJoiner(",");
                where.setEmptyValue("PENDING");
                b.path("enforced_by").forEach(e -> where.add(e.asText()));
                sb.append(String.format("%-39s %-24s %-20s %-20s %7d  %-16s %s%n", b.path("host").asText(),
                    b.path("rule").asText(), b.path("since").asText(), b.path("expires").asText("-"),
                    b.path("strikes").asInt(), where, b.path("reason").asText()));
            }
            return sb.toString();
        }
    }

    @Command(name = "block", mixinStandardHelpOptions = true,
        description = "Block a host's outbound SMTP relay port now (manual decision, journalled and enforced).")
    static final class Block extends ControlCommand
    {
        @Parameters(paramLabel = "HOST", description = "Inside address (IPv4 or IPv6), or an IPv6 prefix /32 to /64 (2001:db8:1:2::/64).")
        String host;

        @Option(names = "--for", required = true, paramLabel = "DURATION", description = "How long: 90s, 10m, 2h, 7d.")
        String duration;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why, for the decisions log.")
        String reason;

        @Option(names = "--force", description = "Block an address outside every inside class (recorded as manual-forced).")
        boolean force;

        @Override
        JsonNode call(final ControlClient c) throws Exception
        {
            final JsonNode answer = c.call("block", force
                ? Map.of("host", host, "for", duration, "reason", reason, "force", "true")
                : Map.of("host", host, "for", duration, "reason", reason));
            for (final JsonNode warning : answer.path("warnings"))
            {
                spec.commandLine().getErr().println("warning: " + warning.asText());
            }
            return answer;
        }

        @Override
        String text(final JsonNode d)
        {
            return String.format("blocked %s until %s (strike %d): %s%n", d.path("host").asText(),
                d.path("expires").asText(), d.path("strikes").asInt(), d.path("reason").asText());
        }
    }

    @Command(name = "unblock", mixinStandardHelpOptions = true,
        description = "Lift a host's block now; its strike history is kept for the escalation ladder.")
    static final class Unblock extends ControlCommand
    {
        @Parameters(paramLabel = "HOST", description = "Inside address (IPv4 or IPv6), or an IPv6 prefix /32 to /64 (2001:db8:1:2::/64).")
        String host;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why, for the decisions log.")
        String reason;

        @Override
        JsonNode call(final ControlClient c) throws Exception
        {
            return c.call("unblock", Map.of("host", host, "reason", reason));
        }

        @Override
        String text(final JsonNode d)
        {
            return d.path("was_blocked").asBoolean()
                ? String.format("unblocked %s (rule %s, %d strike(s) kept): %s%n", d.path("host").asText(),
                    d.path("rule").asText(), d.path("strikes").asInt(), d.path("reason").asText())
                : String.format("%s was not blocked; any stray firewall element was removed%n", d.path("host").asText());
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Why a host is or is not blocked: class, mode, exemptions, counters against thresholds, strikes.")
    static final class Explain extends ControlCommand
    {
        @Parameters(paramLabel = "HOST", description = "Inside address (IPv4 or IPv6), or an IPv6 prefix /32 to /64 (2001:db8:1:2::/64).")
        String host;

        @Override
        JsonNode call(final ControlClient c) throws Exception
        {
            return c.call("explain", Map.of("host", host));
        }

        @Override
        String text(final JsonNode e)
        {
            final StringBuilder sb = new StringBuilder();
            sb.append(e.path("host").asText());
            if (!e.path("inside").asBoolean())
            {
                return sb.append(": ").append(e.path("why").asText()).append('\n').toString();
            }
            sb.append(String.format(": class %s (%s), %s, %d strike(s)%n", e.path("class").asText(),
                e.path("mode").asText(), e.path("blocked").asBoolean()
                    ? "BLOCKED by " + e.path("block").path("rule").asText() + " until " + e.path("block").path("expires").asText()
                    : "not blocked", e.path("strikes").asInt()));
            if (e.path("blocked").asBoolean())
            {
                sb.append("  because: ").append(e.path("block").path("reason").asText()).append('\n');
            }
            for (final JsonNode x : e.path("exemptions"))
            {
                sb.append(String.format("  exempt by %s (%s, ticket %s, expires %s)%n", x.path("network").asText(),
                    x.path("active").asBoolean() ? "active" : "expired", x.path("ticket").asText("-"),
                    x.path("expires").asText("never")));
            }
            final JsonNode sprt = e.path("sprt");
            if (sprt.isTextual())
            {
                sb.append("  sequential test: ").append(sprt.asText()).append('\n');
            }
            else if (!sprt.isMissingNode())
            {
                sb.append(String.format("  sequential test: LLR %.2f (blocks at %.2f, clean below %.2f); %d good, %d failed"
                        + " connects, %d rejected, %d without DATA, %d odd HELO, %d blocklist, %d encrypted%n",
                    sprt.path("llr").asDouble(), sprt.path("block_above").asDouble(), sprt.path("clean_below").asDouble(),
                    sprt.path("good").asInt(), sprt.path("connect_failed").asInt(), sprt.path("rejected").asInt(),
                    sprt.path("no_data").asInt(), sprt.path("odd_helo").asInt(), sprt.path("blocklist").asInt(),
                    sprt.path("encrypted").asInt()));
            }
            final JsonNode evidence = e.path("evidence");
            final JsonNode lastBlock = evidence.path("last_block");
            if (!lastBlock.isMissingNode())
            {
                sb.append("  last block carried by ").append(lastBlock.path("rule").asText()).append(": ")
                    .append(lastBlock.path("evidence").path("basis").asText("decisive or self-corroborating rule"));
                final JsonNode backing = lastBlock.path("evidence").path("corroborated_by");
                sb.append(backing.isMissingNode() ? "" : "; corroborated by " + backing).append('\n');
            }
            if (evidence.has("missing"))
            {
                sb.append("  ").append(evidence.path("missing").asText()).append('\n');
            }
            else if (!evidence.isMissingNode())
            {
                sb.append("  dialogues corroborate volume: ").append(evidence.path("badness")).append('\n');
            }
            final JsonNode rate = e.path("rate");
            if (rate.isTextual())
            {
                sb.append("  ").append(rate.asText()).append('\n');
            }
            for (final JsonNode d : rate.path("detectors"))
            {
                sb.append(String.format("  %-3s %-26s %8.2f vs %-8.2f %-6s (%s %s %s)%n", d.path("firing").asBoolean() ? "!!" : "",
                    d.path("rule").asText(), d.path("value").asDouble(), d.path("threshold").asDouble(),
                    d.path("action").asText(), d.path("metric").asText(), d.path("ports").asText(),
                    d.path("window").asText("")));
            }
            final JsonNode smtp = e.path("smtp");
            if (smtp.isObject())
            {
                sb.append(String.format("  smtp: %d session(s), reply codes %s, HELO %s%s%n", smtp.path("sessions").asLong(),
                    smtp.path("reply_codes"), smtp.path("helo_samples"), smtp.path("blocklist_reply").isTextual()
                        ? ", blocklist reply: " + smtp.path("blocklist_reply").asText() : ""));
            }
            if (e.path("strike_times").size() > 0)
            {
                sb.append("  strikes at: ").append(e.path("strike_times")).append('\n');
            }
            // whatever else the daemon explains (evidence that is there or missing, say) is shown as it comes
            for (final Map.Entry<String, JsonNode> f : e.properties())
            {
                if (!EXPLAINED.contains(f.getKey()))
                {
                    sb.append("  ").append(f.getKey().replace('_', ' ')).append(": ")
                        .append(f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString()).append('\n');
                }
            }
            return sb.toString();
        }

        private static final java.util.Set<String> EXPLAINED = java.util.Set.of("host", "inside", "why", "class", "mode",
            "blocked", "block", "exemptions", "strikes", "sprt", "rate", "smtp", "strike_times", "enforcer");
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
        description = "The flagged-host report of the running instance: JSON, text, one HTML page, or one host as X-ARF.")
    static final class Report extends ControlCommand
    {
        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "json, text, html (one self-contained page) or xarf (one host, for ticket systems; needs --host)."
                + " Default: ${DEFAULT-VALUE}.")
        String format;

        @Option(names = "--host", paramLabel = "HOST", description = "The host an X-ARF report is about.")
        String host;

        @Option(names = "--reporter", paramLabel = "EMAIL", defaultValue = "abuse@localhost",
            description = "Reporter address in an X-ARF report: your abuse desk (default: ${DEFAULT-VALUE}).")
        String reporter;

        @Override
        JsonNode call(final ControlClient c) throws Exception
        {
            final Map<String, String> arguments = new java.util.LinkedHashMap<>();
            arguments.put("format", format);
            arguments.put("reporter", reporter);
            if (host != null)
            {
                arguments.put("host", host);
            }
            return c.call("report", arguments);
        }

        @Override
        String text(final JsonNode answer)
        {
            if (answer.isTextual())
            {
                return answer.asText();
            }
            try
            {
                return ControlClient.pretty(answer) + "\n";
            }
            catch (final java.io.IOException e)
            {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Re-read the rule files of the running instance now (as SIGHUP does), and say how it went.")
    static final class Reload extends ControlCommand
    {
        @Override
        JsonNode call(final ControlClient c) throws Exception
        {
            return c.call("reload", Map.of());
        }

        @Override
        String text(final JsonNode answer)
        {
            final StringBuilder sb = new StringBuilder(answer.path("reloaded").asBoolean()
                ? "rules reloaded, hash " + answer.path("hash").asText() + "\n"
                : "reload refused; the running rules (hash " + answer.path("hash").asText() + ") stay\n");
            for (final JsonNode p : answer.path("problems"))
            {
                sb.append("  ").append(p.asText()).append('\n');
            }
            return sb.toString();
        }
    }
}
