package org.egress25.control;

/**
 * Who may do what on the control socket. Changing enforcement (block, unblock, reload) is for root and the
 * members of one group; reading it (blocks, explain, report) also for a second, so that a first-line abuse
 * desk can look without being able to lift a block. The defaults match the groups the Debian package creates.
 *
 * @param mutateGroup group whose members may block, unblock and reload (default {@value #DEFAULT_MUTATE_GROUP})
 * @param readGroup   group whose members may only read (default {@value #DEFAULT_READ_GROUP})
 */
public record Access(String mutateGroup, String readGroup)
{
    public static final String DEFAULT_MUTATE_GROUP = "egress25";
    public static final String DEFAULT_READ_GROUP = "egress25-read";

    public boolean allows(final Caller caller, final Command command)
    {
        if (caller.isRoot() || caller.groups().contains(mutateGroup))
        {
            return true;
        }
        return !command.mutates() && caller.groups().contains(readGroup);
    }

    /** The refusal a person reads: what they asked, what it needs, and who the daemon thinks they are. */
    public String refusal(final Caller caller, final Command command)
    {
        final String needs = command.mutates()
            ? "root or membership in group " + mutateGroup
            : "root or membership in group " + readGroup + " or " + mutateGroup;
        return "permission denied: '" + command.label() + "' needs " + needs + "; you are " + caller.audit()
            + " (ask an administrator: usermod -aG " + (command.mutates() ? mutateGroup : readGroup) + " " + caller.user()
            + ")";
    }

    /** The commands of the control protocol and whether each changes enforcement. */
    public enum Command
    {
        BLOCKS("blocks", false),
        EXPLAIN("explain", false),
        REPORT("report", false),
        BLOCK("block", true),
        UNBLOCK("unblock", true),
        RELOAD("reload", true);

        private final String label;
        private final boolean mutates;

        Command(final String label, final boolean mutates)
        {
            this.label = label;
            this.mutates = mutates;
        }

        public String label()
        {
            return label;
        }

        public boolean mutates()
        {
            return mutates;
        }

        public static Command parse(final String label)
        {
            for (final Command c : values())
            {
                if (c.label.equals(label))
                {
                    return c;
                }
            }
            return null;
        }
    }
}
