package org.egress25.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Expected decisions of a replay, kept under {@code src/test/resources/golden/}: one line per decision, its
 * capture time, host, action and rule, in the order the decisions log has them. The reasons and evidence are
 * left out so that rewording them does not break the golden files; what is decided, when, is the point.
 * To accept a deliberate change, run the test with {@code -Degress25.golden.update=true} and review the diff.
 */
final class GoldenDecisions
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenDecisions()
    {
    }

    /** The decisions log as golden lines. */
    static List<String> lines(final Path decisionsJsonl) throws IOException
    {
        final List<String> out = new ArrayList<>();
        for (final String line : Files.readAllLines(decisionsJsonl, StandardCharsets.UTF_8))
        {
            if (line.isBlank())
            {
                continue;
            }
            final JsonNode d = JSON.readTree(line);
            out.add(d.path("time").asText() + " " + d.path("host").asText() + " " + d.path("action").asText() + " "
                + d.path("rule").asText());
        }
        return out;
    }

    /** Asserts the replay's decisions are the golden file's (or rewrites it when asked to). */
    static void assertMatches(final Path decisionsJsonl, final String golden) throws IOException
    {
        final Path file = Path.of("src/test/resources/golden", golden);
        final List<String> actual = lines(decisionsJsonl);
        if (Boolean.getBoolean("egress25.golden.update"))
        {
            Files.write(file, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).as("decisions against " + file + " (rerun with -Degress25.golden.update=true to accept)")
            .containsExactlyElementsOf(Files.readAllLines(file, StandardCharsets.UTF_8));
    }
}
