package org.egress25.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.egress25.analysis.HostSnapshot;
import org.egress25.control.ControlServer;
import org.egress25.control.ControlServer.BadRequest;
import org.egress25.decision.Decision;
import org.egress25.host.HostKey;
import org.egress25.enforce.ActiveBlock;
import org.egress25.policy.Exemption;
import org.egress25.policy.HostClass;
import org.egress25.policy.Policy;

/**
 * What the control endpoint does to a running engine. Enforcement state lives with the enforcer service
 * (thread-safe); anything that touches analyser state is sent to the analysis thread as a command.
 */
final class EngineOperations implements ControlServer.Operations
{
    private static final long COMMAND_TIMEOUT_SECONDS = 5;

    private final Engine engine;
    private final org.egress25.policy.PolicyReloader reloader;

    /** @param reloader the rule reloader, or null when the built-in rules run (nothing to reload) */
    EngineOperations(final Engine engine, final org.egress25.policy.PolicyReloader reloader)
    {
        this.engine = engine;
        this.reloader = reloader;
    }

    @Override
    public Object reload()
    {
        if (reloader == null)
        {
            throw new BadRequest("this instance runs the built-in rules (no --rules): there is nothing to reload");
        }
        final boolean ok = reloader.reload();
        final List<String> problems = reloader.lastProblems().stream().map(Object::toString).toList();
        return ControlServer.map("reloaded", ok, "hash", reloader.activeHash(), "problems", problems);
    }

    @Override
    public Object blocks()
    {
        final List<Object> list = new ArrayList<>();
        for (final ActiveBlock b : engine.activeBlocks())
        {
            final com.fasterxml.jackson.databind.node.ObjectNode node = b.toNode();
            final com.fasterxml.jackson.databind.node.ArrayNode where = node.putArray("enforced_by");
            engine.enforcer.enforcedBy(b.host()).forEach(where::add);
            list.add(node);
        }
        return ControlServer.map("enforcer", engine.enforcerKind, "blocks", list);
    }

    /**
     * An operator's block, checked before anything is decided: a strict address, a duration the kernel can
     * hold, and a host inside one of the rules' classes. Blocking an outside address would cut inbound mail
     * from it to customers' servers, so it needs {@code force}, which is recorded in the block's rule
     * ({@code manual-forced}). Blocking an exempt host is allowed (the operator may know better) with a warning.
     * The control endpoint calls this, whatever transport it uses.
     */
    @Override
    public Object block(final String host, final String duration, final String reason, final boolean force)
    {
        final HostKey key = parseHost(host);
        final Duration length = parseDuration(duration);
        final Policy policy = engine.policy.get();
        final List<String> warnings = new ArrayList<>();
        final boolean inside = policy.classify(key.hi(), key.lo()) != null;
        if (!inside && !force)
        {
            throw new BadRequest(key.text() + " is not inside any class of the rules (an outside address); blocking it"
                + " would cut its mail to customers' servers. Use --force if that is what you want");
        }
        if (!inside)
        {
            warnings.add(key.text() + " is outside every class: blocked because of --force, recorded as manual-forced");
        }
        for (final Exemption e : policy.exemptions().list())
        {
            if (key.isPrefix() && e.kind() == Exemption.Kind.SOURCE && key.covers(e.network().hi(), e.network().lo())
                && e.network().bits() > key.bits() && !e.isExpired(Instant.now()))
            {
                warnings.add(e.network() + " inside " + key.text() + " is exempt and keeps port 25 (the kernel matches"
                    + " exemptions before blocked prefixes)");
            }
            else if (e.kind() == Exemption.Kind.SOURCE && e.network().contains(key.hi(), key.lo()) && !e.isExpired(Instant.now()))
            {
                warnings.add(key.text() + " is exempt by " + e.network() + (e.ticket() == null ? "" : " (ticket " + e.ticket() + ")")
                    + "; the manual block applies anyway");
            }
        }
        final Decision decision;
        try
        {
            decision = engine.enforcer.block(key.text(), length, reason,
                inside ? Map.of() : Map.of("forced", true, "rule", "manual-forced"));
        }
        catch (final IllegalArgumentException e)
        {
            throw new BadRequest(e.getMessage());
        }
        engine.dispatcher.accept(decision);
        final long until = decision.expires() == null ? Long.MAX_VALUE : Engine.nanos(decision.expires());
        final long[] strikeNanos = Engine.strikeNanos(engine.enforcer.store(), key.text());
        await(engine.commands.submit(() ->
        {
            engine.verdicts.restoreBlock(key, until, strikeNanos);
            return null;
        }));
        final Map<String, Object> out = decisionMap(decision);
        out.put("warnings", warnings);
        return out;
    }

    @Override
    public Object unblock(final String host, final String reason)
    {
        final HostKey key = parseHost(host);
        final boolean wasBlocked = engine.enforcer.store().active(key.text(), Instant.now()).isPresent();
        // applied either way, which clears a stray kernel element; but an unblock of a host that was not
        // blocked is no decision: it stays out of the decisions log and the report
        final Decision decision = engine.enforcer.unblock(key.text(), reason);
        if (wasBlocked)
        {
            engine.dispatcher.accept(decision);
        }
        await(engine.commands.submit(() ->
        {
            engine.verdicts.liftBlock(key, Engine.nanos(decision.time()));
            return null;
        }));
        final Map<String, Object> out = decisionMap(decision);
        out.put("was_blocked", wasBlocked);
        return out;
    }

    @Override
    public Object explain(final String host)
    {
        final HostKey key = parseHost(host);
        final Optional<ActiveBlock> block = engine.enforcer.store().active(key.text(), Instant.now());
        final Map<String, Object> out = await(engine.commands.submit(() -> explainOnAnalysisThread(key)));
        out.put("blocked", block.isPresent());
        block.ifPresent(b -> out.put("block", b.toNode()));
        out.put("strike_times", engine.enforcer.store().strikeTimes(key.text()).stream().map(Instant::toString).toList());
        out.put("enforcer", engine.enforcerKind);
        return out;
    }

    private Map<String, Object> explainOnAnalysisThread(final HostKey key)
    {
        final Policy policy = engine.policy.get();
        final long now = engine.processor.clockNanos() == 0 ? Engine.nanos(Instant.now()) : engine.processor.clockNanos();
        final HostClass hostClass = policy.classify(key.hi(), key.lo());
        final Map<String, Object> out = ControlServer.map("host", key.text());
        if (hostClass == null)
        {
            out.put("inside", false);
            out.put("why", key.text() + " is in no inside class, so egress25 never judges it");
            return out;
        }
        out.put("inside", true);
        out.put("class", hostClass.name());
        out.put("mode", hostClass.mode().text());
        final List<Object> exemptions = new ArrayList<>();
        for (final Exemption e : policy.exemptions().list())
        {
            if (e.kind() == Exemption.Kind.SOURCE && e.network().contains(key.hi(), key.lo()))
            {
                exemptions.add(ControlServer.map("network", e.network().toString(), "expires",
                    e.expires() == null ? null : e.expires().toString(), "ticket", e.ticket(), "comment", e.comment(),
                    "active", !e.isExpired(org.egress25.decision.Verdicts.toInstant(now))));
            }
        }
        out.put("exemptions", exemptions);
        out.put("strikes", engine.verdicts.strikes(key, now));
        final org.egress25.analysis.SprtSnapshot sprt = engine.sequential.snapshot(key, now);
        out.put("sprt", sprt == null || !sprt.tracked() ? "no SMTP outcomes observed recently"
            : ControlServer.map("llr", Math.round(sprt.llr() * 100) / 100.0, "block_above",
                Math.round(sprt.upper() * 100) / 100.0, "clean_below", Math.round(sprt.lower() * 100) / 100.0,
                "good", sprt.good(), "connect_failed", sprt.connectFailed(), "rejected", sprt.rejected(),
                "no_data", sprt.noData(), "odd_helo", sprt.helo(), "blocklist", sprt.blocklist(),
                "encrypted", sprt.encrypted(), "decided", sprt.decided()));
        if (key.isPrefix())
        {
            // a prefix is judged by its aggregate: rate figures of all its addresses together
            final Map<String, Object> aggregate = engine.rate.prefixSnapshot(key, now);
            out.put("rate", aggregate == null ? "no recent SMTP attempts tracked for the prefix" : aggregate);
            return out;
        }
        out.put("evidence", evidence(key, now));
        final org.egress25.smtp.SmtpHostSummary dialogue = engine.smtp.summary(key.hi(), key.lo());
        if (dialogue != null)
        {
            out.put("smtp", org.egress25.report.SmtpReport.redacted(dialogue));
        }
        final HostSnapshot snapshot = engine.rate.snapshot(key.hi(), key.lo(), now);
        if (snapshot == null)
        {
            out.put("rate", "no recent SMTP attempts tracked");
        }
        else
        {
            final List<Object> detectors = new ArrayList<>();
            for (final HostSnapshot.DetectorValue d : snapshot.detectors())
            {
                detectors.add(ControlServer.map("rule", d.rule(), "metric", d.metric().text(), "ports", d.ports().text(),
                    "window", d.window() == null ? null : d.window().toString(), "value", d.value(),
                    "threshold", d.threshold(), "firing", d.firing(), "action", d.action().label()));
            }
            out.put("rate", ControlServer.map("first_seen", String.valueOf(snapshot.firstSeen()), "last_seen",
                String.valueOf(snapshot.lastSeen()), "concurrent_relay", snapshot.concurrentRelay(),
                "concurrent_submission", snapshot.concurrentSubmission(), "detectors", detectors));
        }
        return out;
    }

    /**
     * The evidence model for one host (rules/README.md, "Evidence model"): what carried its latest block, and
     * whether its dialogues now hold the badness a volume finding needs to block, or what is missing.
     */
    private Map<String, Object> evidence(final HostKey key, final long now)
    {
        final Map<String, Object> out = new java.util.LinkedHashMap<>();
        final Decision block = engine.verdicts.lastBlock(key.hi(), key.lo());
        if (block != null)
        {
            out.put("last_block", ControlServer.map("time", block.time().toString(), "rule", block.rule(),
                "reason", block.reason(), "evidence", block.evidence()));
        }
        final boolean backed = engine.sequential.corroborates(key.hi(), key.lo(), now);
        out.put("corroborates_volume", backed);
        out.put("badness", engine.sequential.evidence(key.hi(), key.lo(), now));
        if (!backed)
        {
            out.put("missing", "volume alone would only alert: " + engine.sequential.missing(key.hi(), key.lo(), now));
        }
        return out;
    }

    @Override
    public org.egress25.report.FlaggedHostReport report()
    {
        // the analysers' report detail belongs to the analysis thread: build it there
        return await(engine.commands.submit(engine::report));
    }

    private static Map<String, Object> decisionMap(final Decision d)
    {
        return ControlServer.map("time", d.time().toString(), "host", d.host(), "action", d.action().label(),
            "rule", d.rule(), "reason", d.reason(), "expires", d.expires() == null ? null : d.expires().toString(),
            "strikes", d.strikes(), "source", d.source().label());
    }

    private static HostKey parseHost(final String host)
    {
        try
        {
            return HostKey.parse(host);
        }
        catch (final IllegalArgumentException e)
        {
            throw new BadRequest(e.getMessage());
        }
    }

    static Duration parseDuration(final String text)
    {
        try
        {
            return org.egress25.policy.Durations.parse(text);
        }
        catch (final IllegalArgumentException e)
        {
            throw new BadRequest(e.getMessage());
        }
    }

    private static <T> T await(final java.util.concurrent.CompletableFuture<T> future)
    {
        try
        {
            return future.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        catch (final ExecutionException e)
        {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
        catch (final TimeoutException e)
        {
            throw new IllegalStateException("the analysis thread did not answer within " + COMMAND_TIMEOUT_SECONDS + " s");
        }
    }
}
