package org.egress25.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The whole effective policy: one immutable object, validated once when loaded, swapped atomically on
 * reload. Everything the packet path asks of it ({@link #classify}) is a scan over primitive-backed
 * blocks ordered longest prefix first, so the first hit is the most specific class.
 */
public final class Policy
{
    private final List<HostClass> classes;
    private final List<RateDetector> defaultDetectors;
    private final Cidr[] blocks;
    private final HostClass[] blockClasses;
    private final int[] smtpPorts;
    private final Duration synTimeout;
    private final BlockLadder ladder;
    private final String enforcer;
    private final SmtpRules smtp;
    private final SprtRules sprt;
    private final String sourceDescription;
    private final String hash;

    /**
     * @param classes           inside classes; an address in no class is outside
     * @param defaultDetectors  detectors with the rule file's default thresholds, for unclassified networks
     * @param smtpPorts         ports analysed (relay and submission)
     * @param synTimeout        an attempt with no SYN-ACK after this long counts as failed
     * @param ladder            block durations
     * @param enforcer          enforcer named in the rules ({@code none}, {@code nftables}, {@code exec}), or null
     * @param smtp              SMTP dialogue detector thresholds
     * @param sprt              sequential test parameters
     * @param sourceDescription where the policy came from, for logs and {@code rules check}
     * @param hash              digest of the rule text, exported as a metric so a fleet can be compared
     */
    public Policy(
        final List<HostClass> classes,
        final List<RateDetector> defaultDetectors,
        final int[] smtpPorts,
        final Duration synTimeout,
        final BlockLadder ladder,
        final String enforcer,
        final SmtpRules smtp,
        final SprtRules sprt,
        final String sourceDescription,
        final String hash)
    {
        this.classes = List.copyOf(classes);
        this.defaultDetectors = List.copyOf(defaultDetectors);
        this.smtpPorts = smtpPorts.clone();
        this.synTimeout = synTimeout;
        this.ladder = ladder;
        this.enforcer = enforcer;
        this.smtp = smtp;
        this.sprt = sprt;
        this.sourceDescription = sourceDescription;
        this.hash = hash;

        final List<Object[]> pairs = new ArrayList<>();
        for (final HostClass hostClass : this.classes)
        {
            for (final Cidr cidr : hostClass.networks())
            {
                pairs.add(new Object[] {cidr, hostClass});
            }
        }
        pairs.sort(Comparator.comparingInt((Object[] p) -> -((Cidr)p[0]).bits()));
        blocks = new Cidr[pairs.size()];
        blockClasses = new HostClass[pairs.size()];
        for (int i = 0; i < pairs.size(); i++)
        {
            blocks[i] = (Cidr)pairs.get(i)[0];
            blockClasses[i] = (HostClass)pairs.get(i)[1];
        }
    }

    /** The class of an address (longest prefix wins), or null when the address is not inside. */
    public HostClass classify(final long hi, final long lo)
    {
        final Cidr[] blocks = this.blocks;
        for (int i = 0; i < blocks.length; i++)
        {
            if (blocks[i].contains(hi, lo))
            {
                return blockClasses[i];
            }
        }
        return null;
    }

    public boolean isInside(final long hi, final long lo)
    {
        return classify(hi, lo) != null;
    }

    public boolean isSmtpPort(final int port)
    {
        for (final int p : smtpPorts)
        {
            if (p == port)
            {
                return true;
            }
        }
        return false;
    }

    /** Port 25 is relay; every other SMTP port is submission. */
    public static PortGroup groupOf(final int port)
    {
        return port == 25 ? PortGroup.RELAY : PortGroup.SUBMISSION;
    }

    public List<HostClass> classes()
    {
        return classes;
    }

    public List<RateDetector> defaultDetectors()
    {
        return defaultDetectors;
    }

    public int[] smtpPorts()
    {
        return smtpPorts.clone();
    }

    public Duration synTimeout()
    {
        return synTimeout;
    }

    public BlockLadder ladder()
    {
        return ladder;
    }

    public String enforcer()
    {
        return enforcer;
    }

    public SmtpRules smtp()
    {
        return smtp;
    }

    public SprtRules sprt()
    {
        return sprt;
    }

    public String sourceDescription()
    {
        return sourceDescription;
    }

    public String hash()
    {
        return hash;
    }

    /** A copy with extra inside networks (from {@code --inside}) in a detect-then-block class of their own. */
    public Policy withExtraInside(final List<Cidr> extra)
    {
        if (extra.isEmpty())
        {
            return this;
        }
        final List<HostClass> all = new ArrayList<>(classes);
        all.add(new HostClass("command-line", Port25Mode.DETECT_THEN_BLOCK, extra, defaultDetectors));
        return new Policy(
            all, defaultDetectors, smtpPorts, synTimeout, ladder, enforcer, smtp, sprt,
            sourceDescription + " + --inside", hash);
    }
}
