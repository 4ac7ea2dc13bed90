package org.egress25.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.egress25.host.Cidr;

/**
 * The whole effective policy: one immutable object, validated once when loaded, swapped atomically on
 * reload. Everything the packet path asks of it ({@link #classify}, {@link #exemptions()}) is answered from
 * primitive arrays built here once, without allocating.
 */
public final class Policy
{
    /**
     * The class {@link #withExtraInside} puts {@code --inside} networks in. The loader reserves the name.
     * Its blocks are matched after every rule-file block, so an address a rule file classifies keeps its
     * class even when a longer {@code --inside} prefix also covers it.
     */
    public static final String COMMAND_LINE_CLASS = "command-line";

    private final List<HostClass> classes;
    private final List<RateDetector> defaultDetectors;
    /** Blocks of the rule-file classes; values index {@link #blockClasses}. */
    private final PrefixIndex ruleBlocks;
    /** Blocks of {@link #COMMAND_LINE_CLASS}, asked only when no rule-file block matches. */
    private final PrefixIndex fallbackBlocks;
    private final HostClass[] blockClasses;
    private final int[] smtpPorts;
    private final Duration synTimeout;
    private final BlockLadder ladder;
    private final SmtpRules smtp;
    private final SprtRules sprt;
    private final String sourceDescription;
    private final String hash;
    private final Exemptions exemptions;
    private final EnforcementRules enforcement;
    private final Map<String, String> descriptions;
    private final List<Problem> notes;

    private Policy(final Builder b)
    {
        this.classes = List.copyOf(b.classes);
        this.defaultDetectors = List.copyOf(b.defaultDetectors);
        this.smtpPorts = b.smtpPorts.clone();
        this.synTimeout = b.synTimeout;
        this.ladder = b.ladder;
        this.smtp = b.smtp;
        this.sprt = b.sprt;
        this.sourceDescription = b.sourceDescription;
        this.hash = b.hash;
        this.exemptions = b.exemptions;
        this.enforcement = b.enforcement;
        this.descriptions = Map.copyOf(b.descriptions);
        this.notes = List.copyOf(b.notes);

        blockClasses = this.classes.toArray(new HostClass[0]);
        final List<Cidr> rules = new ArrayList<>();
        final List<Integer> ruleClasses = new ArrayList<>();
        final List<Cidr> fallback = new ArrayList<>();
        final List<Integer> fallbackClasses = new ArrayList<>();
        for (int i = 0; i < blockClasses.length; i++)
        {
            final boolean commandLine = COMMAND_LINE_CLASS.equals(blockClasses[i].name());
            for (final Cidr cidr : blockClasses[i].networks())
            {
                (commandLine ? fallback : rules).add(cidr);
                (commandLine ? fallbackClasses : ruleClasses).add(i);
            }
        }
        ruleBlocks = new PrefixIndex(rules, ruleClasses.stream().mapToInt(Integer::intValue).toArray());
        fallbackBlocks = new PrefixIndex(fallback, fallbackClasses.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * The class of an address (longest prefix wins), or null when the address is not inside. A scan for a
     * few blocks, one hash probe per distinct prefix length for many (see {@link PrefixIndex}); no allocation.
     */
    public HostClass classify(final long hi, final long lo)
    {
        int index = ruleBlocks.lookup(hi, lo);
        if (index < 0)
        {
            index = fallbackBlocks.lookup(hi, lo);
        }
        return index < 0 ? null : blockClasses[index];
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
        return enforcement.enforcer();
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

    /** Source and destination exemptions with their expiry (none when the rules list none). */
    public Exemptions exemptions()
    {
        return exemptions;
    }

    /** How blocks are enforced; {@link EnforcementRules#none()} when the rules do not say. */
    public EnforcementRules enforcement()
    {
        return enforcement;
    }

    /** The operator's description of a class, or null. */
    public String description(final String className)
    {
        return descriptions.get(className);
    }

    /** Warnings and notes the loader found in rules it accepted (expired exemptions, nested classes). */
    public List<Problem> notes()
    {
        return notes;
    }

    /** A copy with extra inside networks (from {@code --inside}) in a detect-then-block class of their own. */
    public Policy withExtraInside(final List<Cidr> extra)
    {
        if (extra.isEmpty())
        {
            return this;
        }
        final List<HostClass> all = new ArrayList<>(classes);
        all.add(new HostClass(COMMAND_LINE_CLASS, Port25Mode.DETECT_THEN_BLOCK, extra, defaultDetectors));
        return toBuilder()
            .classes(all)
            .sourceDescription(sourceDescription + " + --inside")
            .build();
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /** A builder holding this policy's values, to derive a changed copy. */
    public Builder toBuilder()
    {
        return new Builder()
            .classes(classes)
            .defaultDetectors(defaultDetectors)
            .smtpPorts(smtpPorts)
            .synTimeout(synTimeout)
            .ladder(ladder)
            .smtp(smtp)
            .sprt(sprt)
            .sourceDescription(sourceDescription)
            .hash(hash)
            .exemptions(exemptions)
            .enforcement(enforcement)
            .descriptions(descriptions)
            .notes(notes);
    }

    /**
     * Assembles a policy. Unset values take the built-in defaults the shipped rules also state (SMTP ports
     * 25/465/587/2525, 10 s SYN timeout, the 10m/1h/24h/7d ladder over 30 days, no enforcement, no exemptions),
     * so a test can build the one part it is about.
     */
    public static final class Builder
    {
        private List<HostClass> classes = List.of();
        private List<RateDetector> defaultDetectors = List.of();
        private int[] smtpPorts = {25, 465, 587, 2525};
        private Duration synTimeout = Duration.ofSeconds(10);
        private BlockLadder ladder = new BlockLadder(
            List.of(Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7)),
            Duration.ofDays(30));
        private SmtpRules smtp = SmtpRules.defaults();
        private SprtRules sprt = SprtRules.defaults();
        private String sourceDescription = "built in code";
        private String hash = "";
        private Exemptions exemptions = Exemptions.none();
        private EnforcementRules enforcement = EnforcementRules.none();
        private Map<String, String> descriptions = Map.of();
        private List<Problem> notes = List.of();

        private Builder()
        {
        }

        public Builder classes(final List<HostClass> value)
        {
            classes = value;
            return this;
        }

        public Builder defaultDetectors(final List<RateDetector> value)
        {
            defaultDetectors = value;
            return this;
        }

        public Builder smtpPorts(final int[] value)
        {
            smtpPorts = value.clone();
            return this;
        }

        public Builder synTimeout(final Duration value)
        {
            synTimeout = value;
            return this;
        }

        public Builder ladder(final BlockLadder value)
        {
            ladder = value;
            return this;
        }

        public Builder smtp(final SmtpRules value)
        {
            smtp = value;
            return this;
        }

        public Builder sprt(final SprtRules value)
        {
            sprt = value;
            return this;
        }

        public Builder sourceDescription(final String value)
        {
            sourceDescription = value;
            return this;
        }

        public Builder hash(final String value)
        {
            hash = value;
            return this;
        }

        public Builder exemptions(final Exemptions value)
        {
            exemptions = value;
            return this;
        }

        public Builder enforcement(final EnforcementRules value)
        {
            enforcement = value;
            return this;
        }

        public Builder descriptions(final Map<String, String> value)
        {
            descriptions = value;
            return this;
        }

        public Builder notes(final List<Problem> value)
        {
            notes = value;
            return this;
        }

        public Policy build()
        {
            return new Policy(this);
        }
    }
}
