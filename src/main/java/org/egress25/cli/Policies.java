package org.egress25.cli;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.egress25.policy.Cidr;
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
        final Policy base;
        try
        {
            if (options.rules == null)
            {
                base = PolicyLoader.loadDefaults();
            }
            else
            {
                if (!Files.exists(options.rules))
                {
                    throw new ConfigException("--rules " + options.rules + ": no such file or directory");
                }
                base = PolicyLoader.load(options.rules);
            }
        }
        catch (final PolicyException e)
        {
            throw new ConfigException("invalid rules, nothing started:\n" + e.getMessage(), e);
        }
        return withInside(base, options.inside);
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
