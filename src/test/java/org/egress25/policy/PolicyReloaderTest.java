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
