package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule files an attacker, a broken deploy or a truncating editor could leave: each is refused with a message at
 * {@code file:line:column} (or naming the file), never with a crash and never as an empty section.
 */
@Timeout(60)
class HostileRuleFilesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRefuseDeeplyNestedFlowSequencesAtTheLevelThatCrossesTheLimit() throws Exception
    {
        final Path file = write("deep.yaml", "version: 1\nclasses: " + "[".repeat(2_000) + "]".repeat(2_000) + "\n");

        final List<String> problems = problems(file);

        assertThat(problems).singleElement().asString()
            .as("the top-level mapping is the first level, so the %dth '[' is one too many", YamlLimits.MAX_DEPTH)
            .startsWith(file + ":2:" + ("classes: ".length() + YamlLimits.MAX_DEPTH) + ": error: ")
            .contains("nested deeper than " + YamlLimits.MAX_DEPTH);
    }

    @Test
    void shouldRefuseABillionLaughsAtTheAliasThatCrossesTheLimit() throws Exception
    {
        final StringBuilder yaml = new StringBuilder("version: 1\n");
        yaml.append("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for (int level = 1; level <= 9; level++)
        {
            yaml.append('a').append(level).append(": &a").append(level).append(" [");
            for (int i = 0; i < 9; i++)
            {
                yaml.append(i == 0 ? "" : ", ").append("*a").append(level - 1);
            }
            yaml.append("]\n");
        }
        final Path file = write("laughs.yaml", yaml.toString());

        final List<String> problems = problems(file);

        assertThat(problems).singleElement().asString()
            .matches(java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: error: .*")
            .contains("more than " + YamlLimits.MAX_ALIASES + " aliases");
    }

    @Test
    void shouldRefuseMoreKeysThanAnyRuleSetNeeds() throws Exception
    {
        final StringBuilder yaml = new StringBuilder("version: 1\nclasses:\n");
        for (int i = 0; i <= YamlLimits.MAX_KEYS; i++)
        {
            yaml.append("  k").append(i).append(": 1\n");
        }
        final Path file = write("keys.yaml", yaml.toString());

        assertThat(problems(file)).singleElement().asString()
            .as("'version' and 'classes' are keys too").startsWith(file + ":" + (YamlLimits.MAX_KEYS + 1) + ":3: error: ")
            .contains("more than " + YamlLimits.MAX_KEYS + " keys");
    }

    @Test
    void shouldRefuseAnEmptyFileInsteadOfReadingItAsAnEmptySection() throws Exception
    {
        write("networks.yaml", "version: 1\nclasses:\n  lab: {mode: observe, networks: [192.0.2.0/24]}\n");
        write("exemptions.yaml", "");
        write("detectors.yaml", "# only a comment, as a half-written file may be\n");

        assertThat(problems(dir)).containsExactly(
            dir.resolve("detectors.yaml") + ": error: the file is empty (no YAML document); a rule file holds at least"
                + " 'version: 1' (delete the file to drop its sections)",
            dir.resolve("exemptions.yaml") + ": error: the file is empty (no YAML document); a rule file holds at least"
                + " 'version: 1' (delete the file to drop its sections)");
    }

    @Test
    void shouldRefuseAFileOverTheSizeLimitWithoutReadingIt() throws Exception
    {
        final Path file = dir.resolve("big.yaml");
        try (var out = Files.newByteChannel(file, java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE))
        {
            // sparse: the size is what counts, and a reader that read it would find only zeros
            out.position(PolicyLoader.MAX_FILE_BYTES);
            out.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}));
        }

        assertThat(problems(file)).containsExactly(file + ": error: " + (PolicyLoader.MAX_FILE_BYTES + 1)
            + " bytes, over the limit of " + PolicyLoader.MAX_FILE_BYTES + " bytes for one rule file");
    }

    @Test
    void shouldRefuseADirectoryWhoseFilesTogetherExceedTheSetLimit() throws Exception
    {
        final String filler = "#".repeat(1023) + "\n";
        final int files = (int)(PolicyLoader.MAX_SET_BYTES / (PolicyLoader.MAX_FILE_BYTES - 4096)) + 1;
        for (int i = 0; i < files; i++)
        {
            final StringBuilder text = new StringBuilder("version: 1\n");
            while (text.length() + filler.length() < PolicyLoader.MAX_FILE_BYTES - 4096)
            {
                text.append(filler);
            }
            write("part" + i + ".yaml", text.toString());
        }

        assertThat(problems(dir)).singleElement().asString()
            .startsWith(dir + ": error: the rule files hold ")
            .endsWith("bytes together, over the limit of " + PolicyLoader.MAX_SET_BYTES + " bytes for a rule set");
    }

    @Test
    void shouldReadYmlFilesOfADirectoryAsYamlFilesAreRead() throws Exception
    {
        write("networks.yml", "version: 1\nclasses:\n  lab: {mode: observe, networks: [192.0.2.0/24]}\n");

        final Policy policy = PolicyLoader.load(dir);

        assertThat(policy.classes()).extracting(HostClass::name).containsExactly("lab");
        assertThat(policy.sourceDescription()).endsWith("(networks.yml)");
    }

    private static List<String> problems(final Path path)
    {
        try
        {
            PolicyLoader.load(path);
        }
        catch (final PolicyException e)
        {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError(path + " loaded");
    }

    private Path write(final String name, final String text) throws IOException
    {
        return Files.writeString(dir.resolve(name), text);
    }
}
