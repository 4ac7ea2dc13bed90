package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.egress25.policy.RuleCompiler.RuleText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds mutated copies of the shipped rules to the loader: whatever an operator's editor (or a bad merge)
 * leaves behind, the loader must answer with a policy or a {@link PolicyException} whose problems point into
 * the file, never with any other exception. Caffeine fuzzes its spec parser the same way.
 */
class RuleFuzzTest
{
    private static final int ROUNDS = 1000;
    private static final String NOISE = ":-[]{}#'\" \n\t&*!|>%@`,?0123456789.eaz/";
    private static final String[] TOKENS = {
        "", "-1", "0", "1e309", "NaN", "true", "yes", "~", "null", "''", "[]", "{}", "*a", "&a x", "!!binary AA",
        "10.0.0.0/8", "::/0", "1.2.3.4.5/6", "99999999999999999999", "7d", "0s", "block", "alert", "<<: *a",
        "\"\\u0000\"", "2027-02-30", "|\n  text", "- - -", "? complex : key"};

    @Test
    @Timeout(120)
    void shouldAnswerEveryMutatedRuleSetWithAPolicyOrAPolicyException() throws IOException
    {
        final List<RuleText> shipped = shipped();
        final long seed = Long.getLong("fuzz.seed", 25L);
        final Random random = new Random(seed);
        int loaded = 0;
        int refused = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final List<RuleText> texts = new ArrayList<>(shipped);
            final int target = random.nextInt(texts.size());
            final int mutations = 1 + random.nextInt(3);
            String text = texts.get(target).text();
            for (int i = 0; i < mutations; i++)
            {
                text = mutate(text, random);
            }
            texts.set(target, new RuleText(texts.get(target).name(), text));
            final Policy base = random.nextBoolean() ? PolicyLoader.loadDefaults() : null;
            try
            {
                final Policy policy = PolicyLoader.compile(texts, base, Instant.EPOCH, "fuzz");
                assertThat(policy.hash()).hasSize(64);
                PolicySummary.render(policy, Instant.EPOCH);
                loaded++;
            }
            catch (final PolicyException e)
            {
                refused++;
                assertThat(e.errorCount()).isPositive();
                for (final Problem problem : e.problems())
                {
                    assertThat(problem.line()).isBetween(0, (int)text.lines().count() + 2 + maxLines(texts));
                    assertThat(problem.message()).isNotBlank();
                }
            }
            catch (final RuntimeException | StackOverflowError e)
            {
                fail("round " + round + " (seed " + seed + ") threw " + e + " on " + texts.get(target).name()
                    + ":\n" + text, e);
            }
        }
        // both outcomes must be exercised, or the mutations are too weak (or too strong) to test anything
        assertThat(loaded).isGreaterThan(ROUNDS / 20);
        assertThat(refused).isGreaterThan(ROUNDS / 2);
    }

    private static int maxLines(final List<RuleText> texts)
    {
        return texts.stream().mapToInt(t -> (int)t.text().lines().count()).max().orElse(0);
    }

    static List<RuleText> shipped() throws IOException
    {
        final List<RuleText> texts = new ArrayList<>();
        for (final String name : List.of("detectors.yaml", "enforcement.yaml", "exemptions.yaml", "networks.yaml"))
        {
            texts.add(new RuleText("rules/" + name, Files.readString(Path.of("rules", name))));
        }
        return texts;
    }

    private static String mutate(final String text, final Random random)
    {
        final List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        // mutate the rules, not their comments: how much a file explains must not weaken the fuzzing
        int at = random.nextInt(lines.size());
        for (int tries = 0; tries < 20 && lines.get(at).trim().startsWith("#"); tries++)
        {
            at = random.nextInt(lines.size());
        }
        final String line = lines.get(at);
        switch (random.nextInt(8))
        {
            case 0: // delete a character
                if (!line.isEmpty())
                {
                    final int i = random.nextInt(line.length());
                    lines.set(at, line.substring(0, i) + line.substring(i + 1));
                }
                break;
            case 1: // insert a character
            {
                final int i = random.nextInt(line.length() + 1);
                lines.set(at, line.substring(0, i) + NOISE.charAt(random.nextInt(NOISE.length())) + line.substring(i));
                break;
            }
            case 2: // replace the value after a colon with a hostile token
            {
                final int colon = line.indexOf(": ");
                if (colon > 0)
                {
                    lines.set(at, line.substring(0, colon + 2) + TOKENS[random.nextInt(TOKENS.length)]);
                }
                break;
            }
            case 3: // delete a line
                lines.remove(at);
                break;
            case 4: // duplicate a line
                lines.add(at, line);
                break;
            case 5: // move a line elsewhere
                lines.remove(at);
                lines.add(random.nextInt(lines.size() + 1), line);
                break;
            case 6: // shift indentation
                lines.set(at, random.nextBoolean() ? "  " + line : line.replaceFirst("^ {1,2}", ""));
                break;
            default: // change a digit
                lines.set(at, line.replaceFirst("[0-9]", String.valueOf(random.nextInt(10))));
                break;
        }
        return String.join("\n", lines);
    }
}
