package org.egress25.policy;

import java.util.List;

/**
 * The rules were refused. Carries every problem found, not just the first, so an operator fixes a file in
 * one pass; {@link #getMessage()} is the list ready to print, one {@code file:line:column: message} a line.
 */
public final class PolicyException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public PolicyException(final List<Problem> problems)
    {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    /** Errors first (in file order), then the warnings and notes found on the way. */
    public List<Problem> problems()
    {
        return problems;
    }

    public long errorCount()
    {
        return problems.stream().filter(Problem::isError).count();
    }

    private static String render(final List<Problem> problems)
    {
        final long errors = problems.stream().filter(Problem::isError).count();
        final StringBuilder sb = new StringBuilder();
        sb.append(errors).append(errors == 1 ? " error" : " errors").append(" in the rules:");
        for (final Problem problem : problems)
        {
            sb.append(System.lineSeparator()).append(problem);
        }
        return sb.toString();
    }
}
