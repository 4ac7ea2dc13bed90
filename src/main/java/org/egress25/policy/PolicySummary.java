package org.egress25.policy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.egress25.host.Action;
import org.egress25.host.Cidr;

/**
 * The effective policy as {@code egress25 rules check PATH} prints it on success: what an operator needs
 * to confirm before shipping a change (which networks are in which class and mode, the thresholds each
 * class really gets after its overrides, which exemptions apply and which have run out, how long blocks
 * last and whether anything is enforced) and the hash the running gateway will export once it is loaded.
 */
public final class PolicySummary
{
    private PolicySummary()
    {
    }

    /**
     * @param now wall-clock time, to say which exemptions have expired and how long the others have left
     */
    public static String render(final Policy policy, final Instant now)
    {
        final StringBuilder out = new StringBuilder();
        line(out, "Rules: " + policy.sourceDescription());
        line(out, "Hash:  sha256:" + policy.hash());
        line(out, "");
        classes(out, policy);
        line(out, "");
        thresholds(out, policy);
        line(out, "");
        smtp(out, policy);
        line(out, "");
        exemptions(out, policy, now);
        line(out, "");
        final BlockLadder ladder = policy.ladder();
        final List<String> steps = new ArrayList<>();
        ladder.steps().forEach(step -> steps.add(duration(step)));
        line(out, "Blocking ladder: " + String.join(", ", steps) + " (a repeat offence within "
            + duration(ladder.memory()) + " takes the next step; the last step repeats)");
        final EnforcementRules enforcement = policy.enforcement();
        line(out, "Enforcement: " + policy.enforcer() + describeEnforcement(enforcement));
        final List<String> ports = new ArrayList<>();
        for (final int port : policy.smtpPorts())
        {
            ports.add(Integer.toString(port));
        }
        line(out, "Capture: SMTP ports " + String.join(", ", ports) + "; SYN timeout " + duration(policy.synTimeout()));
        if (!policy.notes().isEmpty())
        {
            line(out, "");
            line(out, "Warnings and notes:");
            for (final Problem problem : policy.notes())
            {
                line(out, "  " + problem);
            }
        }
        return out.toString();
    }

    private static void classes(final StringBuilder out, final Policy policy)
    {
        if (policy.classes().isEmpty())
        {
            line(out, "Classes: none (no address is inside unless --inside names it)");
            return;
        }
        line(out, "Classes (longest prefix wins; an address in no class is outside):");
        for (final HostClass hostClass : policy.classes())
        {
            line(out, String.format(Locale.ROOT, "  %-24s %-18s %s", hostClass.name(), hostClass.mode().text(),
                size(hostClass.networks())));
            final String description = policy.description(hostClass.name());
            if (description != null)
            {
                line(out, "    " + description);
            }
            for (final Cidr cidr : hostClass.networks())
            {
                line(out, String.format(Locale.ROOT, "    %-28s %s", cidr.text(), addresses(cidr)));
            }
        }
    }

    /** One row per rate detector, one column per class; {@code *} marks a class override. */
    private static void thresholds(final StringBuilder out, final Policy policy)
    {
        line(out, "Rate detectors (fires above the threshold; * = class override):");
        final List<HostClass> classes = policy.classes();
        final StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-26s %-22s %-10s %-6s %-6s %-12s",
            "detector", "metric", "ports", "window", "action", "default"));
        for (final HostClass hostClass : classes)
        {
            header.append(String.format(Locale.ROOT, " %-" + column(hostClass) + "s", hostClass.name()));
        }
        line(out, header.toString().stripTrailing());
        for (final RateDetector detector : policy.defaultDetectors())
        {
            final StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-26s %-22s %-10s %-6s %-6s %-12s",
                detector.id(), detector.metric().text(), detector.ports().text(),
                detector.metric() == RateMetric.CONCURRENT ? "-" : duration(detector.window()),
                detector.action().label(), limit(detector)));
            for (final HostClass hostClass : classes)
            {
                final RateDetector resolved = find(hostClass, detector.id());
                final String cell = resolved == null ? "-"
                    : limit(resolved) + (resolved.threshold() != detector.threshold() ? "*" : "");
                row.append(String.format(Locale.ROOT, " %-" + column(hostClass) + "s", cell));
            }
            line(out, row.toString().stripTrailing());
        }
        for (final HostClass hostClass : classes)
        {
            if (hostClass.mode() != Port25Mode.DETECT_THEN_BLOCK)
            {
                line(out, "  (" + hostClass.name() + " is " + hostClass.mode().text() + ": its detectors only alert)");
            }
        }
    }

    private static void smtp(final StringBuilder out, final Policy policy)
    {
        final SmtpRules s = policy.smtp();
        line(out, "SMTP dialogue detectors:");
        row(out, s.blocklist().id(), s.blocklist().action(), "a 4xx/5xx reply naming one of "
            + s.blocklist().zones().size() + " blocklists");
        row(out, s.rejection().id(), s.rejection().action(), share(s.rejection().share()) + " of >= "
            + s.rejection().minSessions() + " sessions rejected per " + duration(s.rejection().window()));
        row(out, s.helo().id(), s.helo().action(), "> " + s.helo().maxDistinctNames() + " HELO names per "
            + duration(s.helo().window()) + ", or a HELO claiming one of " + s.helo().providerDomains().size()
            + " provider domains");
        row(out, s.recipients().id(), s.recipients().action(), "> " + s.recipients().maxRecipients()
            + " recipients or > " + s.recipients().maxDomains() + " domains per " + duration(s.recipients().window()));
        row(out, s.harvest().id(), s.harvest().action(), ">= " + s.harvest().minRecipients() + " RCPT in a session, "
            + share(s.harvest().rejectShare()) + " refused, no DATA");
        row(out, s.auth().id(), s.auth().action(), "> " + s.auth().maxFailures() + " failed AUTH per "
            + duration(s.auth().window()));
        row(out, s.aborted().id(), s.aborted().action(), share(s.aborted().share()) + " of >= "
            + s.aborted().minSessions() + " sessions without DATA per " + duration(s.aborted().window()));
        final SprtRules sprt = policy.sprt();
        line(out, String.format(Locale.ROOT, "  %-26s %-6s alpha=%s beta=%s theta0=%s theta1=%s: block above %.2f,"
                + " clean below %.2f, reset after %s idle", sprt.id(), "block", RuleReader.format(sprt.alpha()),
            RuleReader.format(sprt.beta()), RuleReader.format(sprt.theta0()), RuleReader.format(sprt.theta1()),
            sprt.upperBound(), sprt.lowerBound(), duration(sprt.idleReset())));
    }

    private static void exemptions(final StringBuilder out, final Policy policy, final Instant now)
    {
        final List<Exemption> list = policy.exemptions().list();
        if (list.isEmpty())
        {
            line(out, "Exemptions: none");
            return;
        }
        line(out, "Exemptions:");
        for (final Exemption exemption : list)
        {
            final String expiry;
            if (exemption.expires() == null)
            {
                expiry = "no expiry";
            }
            else if (exemption.isExpired(now))
            {
                expiry = "EXPIRED " + exemption.expires() + " (no longer applies)";
            }
            else
            {
                expiry = "expires " + exemption.expires() + " (in " + duration(Duration.between(now, exemption.expires())
                    .truncatedTo(ChronoUnit.HOURS)) + ")";
            }
            line(out, String.format(Locale.ROOT, "  %-11s %-28s %s%s%s  [%s]",
                exemption.kind().name().toLowerCase(Locale.ROOT), exemption.network(), expiry,
                exemption.ticket() == null ? "" : "  ticket " + exemption.ticket(),
                exemption.comment() == null ? "" : "  " + exemption.comment(), exemption.location()));
        }
    }

    private static String describeEnforcement(final EnforcementRules e)
    {
        final StringBuilder sb = new StringBuilder(" (ports ");
        sb.append(e.ports()).append(", verdict ").append(e.verdict()).append(", nftables table ").append(e.table());
        if (e.outputChain())
        {
            sb.append(", output chain too");
        }
        if (!e.execCommand().isEmpty())
        {
            sb.append(", exec ").append(e.execCommand()).append(" timeout ").append(duration(e.execTimeout()));
        }
        return sb.append(')').toString();
    }

    private static void row(final StringBuilder out, final String id, final Action action, final String what)
    {
        line(out, String.format(Locale.ROOT, "  %-26s %-6s %s", id, action.label(), what));
    }

    private static RateDetector find(final HostClass hostClass, final String id)
    {
        for (final RateDetector detector : hostClass.detectors())
        {
            if (detector.id().equals(id))
            {
                return detector;
            }
        }
        return null;
    }

    private static int column(final HostClass hostClass)
    {
        return Math.max(10, hostClass.name().length());
    }

    private static String limit(final RateDetector detector)
    {
        if (detector.metric() == RateMetric.FAILURE_RATIO)
        {
            return ">=" + RuleReader.format(detector.threshold()) + "/" + detector.minAttempts();
        }
        return ">" + RuleReader.format(detector.threshold());
    }

    private static String share(final double share)
    {
        return RuleReader.format(share * 100) + "%";
    }

    private static String size(final List<Cidr> networks)
    {
        long v4 = 0;
        int v6 = 0;
        for (final Cidr cidr : networks)
        {
            if (cidr.isIpv4())
            {
                v4 += cidr.size();
            }
            else
            {
                v6++;
            }
        }
        final List<String> parts = new ArrayList<>();
        parts.add(networks.size() + (networks.size() == 1 ? " network" : " networks"));
        if (v4 > 0)
        {
            parts.add(String.format(Locale.ROOT, "%,d IPv4 addresses", v4));
        }
        if (v6 > 0)
        {
            parts.add(v6 + " IPv6 " + (v6 == 1 ? "prefix" : "prefixes"));
        }
        return String.join(", ", parts);
    }

    private static String addresses(final Cidr cidr)
    {
        final int hostBits = 128 - cidr.bits();
        if (cidr.isIpv4() || hostBits < 40)
        {
            final long size = cidr.size();
            return String.format(Locale.ROOT, "%,d %s", size, size == 1 ? "address" : "addresses");
        }
        if (hostBits < 64)
        {
            return "2^" + hostBits + " addresses";
        }
        return "2^" + hostBits + " addresses (" + (hostBits == 64 ? "one /64 subnet" : "2^" + (hostBits - 64) + " /64 subnets")
            + ")";
    }

    /** Back to the rule-file form: 10m, 1h, 24h, 7d (a single day stays 24h, as the ladder is written). */
    static String duration(final Duration d)
    {
        return Durations.text(d);
    }

    private static void line(final StringBuilder out, final String text)
    {
        out.append(text).append('\n');
    }
}
