package org.egress25.policy;

import java.util.Locale;

/**
 * One thing the loader has to say about a rule file, pinned to the place an operator has to edit.
 * Lines and columns count from 1, as editors show them.
 *
 * @param file     the file as the operator named it (or {@code rules/x.yaml (built-in)} for the defaults)
 * @param line     1-based line, 0 when the problem is about the file as a whole
 * @param column   1-based column, 0 when the problem is about the file as a whole
 * @param severity errors stop the load; warnings and notes are shown by {@code rules check}
 * @param message  what is wrong and, where we can tell, how to fix it
 */
public record Problem(String file, int line, int column, Severity severity, String message)
{
    public enum Severity
    {
        /** The policy is refused; nothing of it is applied. */
        ERROR,
        /** Loaded, but probably not what the operator meant (an exemption that has expired). */
        WARNING,
        /** Loaded as intended; worth knowing (a block nested in another class's block). */
        NOTE;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean isError()
    {
        return severity == Severity.ERROR;
    }

    /** {@code file:line:column: severity: message}, the form editors and CI logs turn into links. */
    @Override
    public String toString()
    {
        final String where = line > 0 ? file + ":" + line + ":" + column : file;
        return where + ": " + severity.label() + ": " + message;
    }
}
