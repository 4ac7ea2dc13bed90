package org.egress25.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.egress25.host.Addresses;
import org.egress25.host.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PolicyReloaderTest
{
    private static final UnaryOperator<Policy> INSIDE = p -> p.withExtraInside(List.of(Cidr.parse("198.51.100.0/24")));

    @TempDir
    Path dir;

    private final List<Policy> applied = new CopyOnWriteArrayList<>();

    @Test
    void shouldApplyAGoodChangeAndKeepTheOldRulesWhenTheNextOneIsBroken() throws Exception
    {
        writeRules(20);
        final Policy initial = INSIDE.apply(PolicyLoader.load(dir));
        try (PolicyReloader reloader = new PolicyReloader(dir, initial, INSIDE, applied::add).start(false))
        {
            writeRules(25);
            await(() -> reloader.reloads("success") == 1);

            assertThat(applied).hasSize(1);
            final Policy changed = applied.get(0);
            assertThat(ShippedRulesTest.threshold(changed, "10.0.0.1", "port25-attempts-1m")).isEqualTo(25);
            assertThat(changed.classify(addr("198.51.100.9")[0], addr("198.51.100.9")[1]).name())
                .as("--inside re-applied after the reload").isEqualTo(Policy.COMMAND_LINE_CLASS);
            assertThat(reloader.activeHash()).isEqualTo(changed.hash()).isNotEqualTo(initial.hash());
            assertThat(reloader.current()).isSameAs(changed);
            assertThat(reloader.lastReload()).isNotNull();

            Files.writeString(dir.resolve("networks.yaml"), String.join("\n",
                "version: 1",
                "classes:",
                "  home:",
                "    mode: detect-then-block",
                "    netwroks: [10.0.0.0/8]",
                ""));
            await(() -> reloader.reloads("failure") == 1);

            assertThat(applied).hasSize(1);
            assertThat(reloader.current()).isSameAs(changed);
            assertThat(reloader.activeHash()).isEqualTo(changed.hash());
            assertThat(reloader.lastProblems()).extracting(Problem::toString).contains(
                dir.resolve("networks.yaml") + ":5:5: error: unknown key 'netwroks' in classes.home;"
                    + " did you mean 'networks'?");
            assertThat(reloader.reloads("success")).isEqualTo(1);
            assertThat(reloader.lastReloadSucceeded()).isFalse();
            assertThat(reloader.activeSince()).isBefore(reloader.lastReload());
        }
    }

    @Test
    void shouldIgnoreAFileEventThatLeavesTheRulesUnchanged() throws Exception
    {
        writeRules(20);
        final Policy initial = PolicyLoader.load(dir);
        try (PolicyReloader reloader = new PolicyReloader(dir, initial, UnaryOperator.identity(), applied::add)
            .start(false))
        {
            writeRules(20);
            Files.writeString(dir.resolve("notes.txt"), "not a rule file");
            TimeUnit.MILLISECONDS.sleep(PolicyReloader.DEBOUNCE_MILLIS * 5);

            assertThat(applied).isEmpty();
            assertThat(reloader.reloads("success")).isZero();
            assertThat(reloader.reloads("failure")).isZero();
        }
    }

    @Test
    void shouldCountAnExplicitReloadEvenWhenNothingChanged() throws Exception
    {
        writeRules(20);
        final Policy initial = PolicyLoader.load(dir);
        try (PolicyReloader reloader = new PolicyReloader(dir, initial, UnaryOperator.identity(), applied::add))
        {
            assertThat(reloader.reload()).isTrue();
            Files.writeString(dir.resolve("detectors.yaml"), "version: 1\ndetectors: [");
            assertThat(reloader.reload()).isFalse();

            assertThat(reloader.reloads("success")).isEqualTo(1);
            assertThat(reloader.reloads("failure")).isEqualTo(1);
            assertThat(reloader.reloads("other")).isZero();
            assertThat(reloader.lastProblems()).first().asString().contains("detectors.yaml:2:").contains("YAML syntax");
        }
    }

    @Test
    void shouldReloadOnARealSighup() throws Exception
    {
        writeRules(20);
        final Policy initial = PolicyLoader.load(dir);
        try (PolicyReloader reloader = new PolicyReloader(dir, initial, UnaryOperator.identity(), applied::add)
            .start(true))
        {
            assumeTrue(reloader.handlesSignal(), "this JVM does not let us handle SIGHUP");
            final Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
                .inheritIO().start();
            assertThat(kill.waitFor()).isZero();

            await(() -> reloader.reloads("success") == 1);
            assertThat(applied).hasSize(1);
            assertThat(applied.get(0).hash()).isEqualTo(initial.hash());
        }
    }

    @Test
    void shouldKeepTheExemptionsWhenAnEditorEmptiesTheFileBeforeWritingIt() throws Exception
    {
        writeRules(20);
        writeExemptions(10);
        try (PolicyReloader reloader = watching())
        {
            // what `cat new > exemptions.yaml` leaves for a moment
            Files.write(dir.resolve("exemptions.yaml"), new byte[0]);
            await(() -> reloader.reloads("failure") == 1);

            assertThat(applied).as("an empty file is never an empty section").isEmpty();
            assertThat(reloader.current().exemptions().list()).hasSize(10);
            assertThat(reloader.lastReloadSucceeded()).isFalse();
            assertThat(reloader.lastProblems()).singleElement().asString()
                .startsWith(dir.resolve("exemptions.yaml") + ": error: the file is empty");

            writeExemptions(10);
            await(reloader::lastReloadSucceeded);
            assertThat(applied).as("the same rules again: nothing to apply").isEmpty();
            assertThat(reloader.reloads("failure")).isEqualTo(1);
        }
    }

    @Test
    void shouldHoldAReloadThatRemovesMostExemptionsUntilTheOperatorForcesIt() throws Exception
    {
        writeRules(20);
        writeExemptions(10);
        try (PolicyReloader reloader = watching())
        {
            // a file cut short that still parses: 2 of its 10 exemptions
            writeExemptions(2);
            await(() -> reloader.reloads("held") == 1);

            assertThat(applied).isEmpty();
            assertThat(reloader.current().exemptions().list()).hasSize(10);
            assertThat(reloader.lastReloadSucceeded()).isFalse();
            assertThat(reloader.lastProblems()).singleElement().asString()
                .contains("reload held: it would remove 8 of 10 exemptions (more than 50%)")
                .contains("send SIGHUP to apply them");

            reloader.requestReload();
            await(() -> reloader.reloads("success") == 1);
            assertThat(applied).singleElement().satisfies(p -> assertThat(p.exemptions().list()).hasSize(2));

            writeExemptions(1);
            await(() -> reloader.reloads("success") == 2);
            assertThat(applied).as("removing 1 of 2 is within the share").hasSize(2);
        }
    }

    @Test
    void shouldHoldAReloadWhenARuleFileVanishes() throws Exception
    {
        writeRules(20);
        writeExemptions(1);
        try (PolicyReloader reloader = watching())
        {
            Files.delete(dir.resolve("exemptions.yaml"));
            await(() -> reloader.reloads("held") == 1);

            assertThat(applied).isEmpty();
            assertThat(reloader.lastProblems()).singleElement().asString()
                .contains("reload held: it would remove the rule file exemptions.yaml");
        }
    }

    @Test
    void shouldKeepReloadingAfterAHostileFileAndAnErrorInsideAReload() throws Exception
    {
        writeRules(20);
        final Policy initial = PolicyLoader.load(dir);
        final boolean[] crashNext = {true};
        final UnaryOperator<Policy> crashingOnce = p ->
        {
            if (crashNext[0])
            {
                crashNext[0] = false;
                throw new StackOverflowError("as deep input once did inside the YAML composer");
            }
            return p;
        };
        try (PolicyReloader reloader = new PolicyReloader(dir, initial, crashingOnce, applied::add).start(false))
        {
            Files.writeString(dir.resolve("detectors.yaml"), "version: 1\ndetectors: " + "[".repeat(2_000) + "\n");
            await(() -> reloader.reloads("failure") == 1);
            assertThat(reloader.lastProblems()).singleElement().asString().contains("detectors.yaml:2:")
                .contains("nested deeper than");

            writeRules(25);
            await(() -> reloader.reloads("failure") == 2);
            assertThat(reloader.lastProblems()).singleElement().asString().contains("StackOverflowError");

            writeRules(30);
            await(() -> reloader.reloads("success") == 1);
            assertThat(ShippedRulesTest.threshold(applied.get(0), "10.0.0.1", "port25-attempts-1m")).isEqualTo(30);
        }
    }

    @Test
    void shouldCountTheRulesLoadedAtStartAsASuccessfulLoadAtStartTime() throws Exception
    {
        writeRules(20);
        final java.time.Instant before = java.time.Instant.now();
        try (PolicyReloader reloader = new PolicyReloader(dir, PolicyLoader.load(dir), UnaryOperator.identity(),
            applied::add))
        {
            assertThat(reloader.lastReloadSucceeded()).isTrue();
            assertThat(reloader.lastReload()).isAfterOrEqualTo(before).isEqualTo(reloader.activeSince());
        }
    }

    /** A reloader watching {@link #dir}, started from the rules there now. */
    private PolicyReloader watching() throws Exception
    {
        return new PolicyReloader(dir, PolicyLoader.load(dir), UnaryOperator.identity(), applied::add).start(false);
    }

    private void writeExemptions(final int count) throws IOException
    {
        final StringBuilder text = new StringBuilder("version: 1\nexemptions:\n");
        for (int i = 0; i < count; i++)
        {
            text.append("  - {source: 10.9.0.").append(i + 1).append("/32, ticket: MX-").append(i).append("}\n");
        }
        Files.writeString(dir.resolve("exemptions.yaml"), text.toString());
    }

    private void writeRules(final int threshold) throws IOException
    {
        Files.writeString(dir.resolve("networks.yaml"), String.join("\n",
            "version: 1",
            "classes:",
            "  home:",
            "    mode: detect-then-block",
            "    networks: [10.0.0.0/8]",
            ""));
        Files.writeString(dir.resolve("detectors.yaml"), String.join("\n",
            "version: 1",
            "detectors:",
            "  port25-attempts-1m:",
            "    metric: attempts",
            "    ports: relay",
            "    window: 1m",
            "    threshold: " + threshold,
            "    action: block",
            ""));
    }

    private static void await(final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadline).as("condition not met within 20 s").isNegative();
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private static long[] addr(final String text)
    {
        return Addresses.parse(text);
    }
}
