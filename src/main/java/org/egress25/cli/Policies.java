package org.egress25.cli;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.egress25.host.Cidr;
import org.egress25.policy.Policy;
import org.egress25.policy.PolicyException;
import org.egress25.policy.PolicyLoader;

/** Loads the policy the options ask for: the rule path or the built-in rules, plus {@code --inside}. */
final class Policies
{
    private Policies()
    {
    }

    static Policy load(final CommonOptions options)
    {
        return load(options.rules, options.inside);
    }

    static Policy load(final java.nio.file.Path rules, final List<String> inside)
    {
        final Policy base;
        try
        {
            if (rules == null)
            {
                base = PolicyLoader.loadDefaults();
            }
            else
            {
                if (!Files.exists(rules))
                {
                    throw new ConfigException(rules + ": no such rules file or directory");
                }
                base = PolicyLoader.load(rules);
            }
        }
        catch (final PolicyException e)
        {
            throw new ConfigException("invalid rules in " + rules + ", nothing started:\n" + e.getMessage(), e);
        }
        return withInside(base, inside);
    }

    static Policy withInside(final Policy base, final List<String> inside)
    {
        final List<Cidr> extra = new ArrayList<>();
        for (final String text : inside)
        {
            try
            {
                extra.add(Cidr.parse(text));
            }
            catch (final IllegalArgumentException e)
            {
                throw new ConfigException("--inside: " + e.getMessage());
            }
        }
        return base.withExtraInside(extra);
    }
}
