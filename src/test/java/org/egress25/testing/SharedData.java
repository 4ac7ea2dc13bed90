package org.egress25.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the third-party SMTP captures are: {@code shared/data/smtp-captures} in the folder {@code shared/} that
 * sits beside the clone (a developer's checkout and CI's fresh clone alike), or wherever
 * {@code -Degress25.captures=DIR} points. A test that needs them fails, with the path it tried, when they are
 * missing; it never skips, in CI or outside it, so a green run cannot hide missing data.
 */
public final class SharedData
{
    /** The system property that points the tests at the captures when {@code shared/} is elsewhere. */
    public static final String PROPERTY = "egress25.captures";

    private SharedData()
    {
    }

    /** The captures directory, checked: its {@code INDEX.md} must be there. */
    public static Path smtpCaptures()
    {
        final Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        return smtpCaptures(System.getProperty(PROPERTY), cloneRoot(base));
    }

    static Path smtpCaptures(final String configured, final Path cloneRoot)
    {
        final Path dir = configured != null
            ? Path.of(configured).toAbsolutePath().normalize()
            : cloneRoot.resolveSibling("shared").resolve("data").resolve("smtp-captures");
        if (!Files.isRegularFile(dir.resolve("INDEX.md")))
        {
            throw new AssertionError("the shared SMTP captures are missing: no INDEX.md in " + dir
                + (configured != null ? " (from -D" + PROPERTY + ")" : " (shared/ beside the clone " + cloneRoot + ")")
                + "; put the shared data folder beside the clone as shared/data/smtp-captures,"
                + " or run the tests with -D" + PROPERTY + "=DIR");
        }
        return dir;
    }

    /**
     * The top of the clone holding {@code base} (the project's base directory: Maven's {@code basedir}, else the
     * working directory): walking up, the nearest folder holding {@code .git}; in a source tree without git, the
     * outermost folder holding a {@code pom.xml}.
     */
    static Path cloneRoot(final Path base)
    {
        final Path start = base.toAbsolutePath().normalize();
        Path outermostPom = start;
        for (Path dir = start; dir != null; dir = dir.getParent())
        {
            if (Files.exists(dir.resolve(".git")))
            {
                return dir;
            }
            if (Files.isRegularFile(dir.resolve("pom.xml")))
            {
                outermostPom = dir;
            }
        }
        return outermostPom;
    }
}
