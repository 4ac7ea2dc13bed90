package org.egress25.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the third-party SMTP captures are: {@code shared/} sits beside the repository (a developer's
 * checkout and CI's fresh clone alike), or {@code -Degress25.captures=DIR} points elsewhere.
 */
public final class SharedData
{
    private SharedData()
    {
    }

    /**
     * The captures directory, checked: a developer without {@code shared/} gets the tests skipped, but CI
     * ({@code CI=true}) fails, so a green run can never hide missing data.
     */
    public static Path requireSmtpCaptures()
    {
        final Path dir = smtpCaptures();
        final boolean present = Files.isRegularFile(dir.resolve("INDEX.md"));
        if (!present && System.getenv("CI") != null)
        {
            throw new AssertionError("shared SMTP captures missing at " + dir + " (CI must have shared/ beside the clone)");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(present, "shared captures not present at " + dir);
        return dir;
    }

    public static Path smtpCaptures()
    {
        final String configured = System.getProperty("egress25.captures");
        if (configured != null)
        {
            return Path.of(configured);
        }
        for (final Path candidate : new Path[] {
            Path.of("..", "shared", "data", "smtp-captures").toAbsolutePath().normalize(),
            Path.of("/work/shared/data/smtp-captures")})
        {
            if (Files.isDirectory(candidate))
            {
                return candidate;
            }
        }
        return Path.of("..", "shared", "data", "smtp-captures").toAbsolutePath().normalize();
    }
}
