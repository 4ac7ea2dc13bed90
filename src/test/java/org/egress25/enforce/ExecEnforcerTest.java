package org.egress25.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.egress25.decision.Decision;
import org.egress25.decision.DecisionJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExecEnforcerTest
{
    private static final Instant T0 = Instant.parse("2026-11-28T01:22:00Z");

    @TempDir
    Path dir;

    private Path script(final String name, final String... lines) throws IOException
    {
        final Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    private static void await(final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            assertThat(deadline - System.nanoTime()).as("condition not met within 10 s").isPositive();
            Thread.sleep(20);
        }
    }

    @Test
    void shouldFillThePlaceholdersOfTheRulesAsWholeArgumentsWithoutAShell() throws Exception
    {
        final Path out = dir.resolve("arguments.txt");
        // one line per argument: a placeholder that reached the program literally, or a value split by a shell, shows
        final Path program = script("argv", "for a in \"$@\"; do printf '%s\\n' \"$a\"; done >> " + out);
        final Decision block = Decisions.block("2001:db8::5", T0, Duration.ofHours(1));
        final Decision unblock = Decisions.unblock("10.0.0.5", T0);
        try (ExecEnforcer enforcer = new ExecEnforcer(List.of(program.toString(), "{action}", "{host}", "{expires}",
            "host={host};$(touch " + dir.resolve("pwned") + ")"), Duration.ofSeconds(5), 1, 10))
        {
            enforcer.start();
            enforcer.apply(List.of(block));
            await(() -> enforcer.runs() == 1);
            enforcer.apply(List.of(unblock));
            await(() -> enforcer.runs() == 2);

            assertThat(Files.readAllLines(out)).containsExactly(
                "block", "2001:db8::5", "2026-11-28T02:22:00Z", "host=2001:db8::5;$(touch " + dir.resolve("pwned") + ")",
                "unblock", "10.0.0.5", "", "host=10.0.0.5;$(touch " + dir.resolve("pwned") + ")");
            assertThat(dir.resolve("pwned")).doesNotExist();
        }
    }

    @Test
    void shouldHandTheOperatorsProgramEachDecisionAsOneJsonLineOnStdin() throws Exception
    {
        final Path out = dir.resolve("out");
        final Path program = script("notify", "cat >> " + out, "echo \"$EGRESS25_ACTION $EGRESS25_HOST\" >> " + out + ".env");
        final Decision block = Decisions.block("2001:db8::5", T0, Duration.ofHours(1));
        final Decision unblock = Decisions.unblock("10.0.0.5", T0);
        try (ExecEnforcer enforcer = new ExecEnforcer(List.of(program.toString()), Duration.ofSeconds(5), 1, 10))
        {
            enforcer.start();
            enforcer.apply(List.of(block, unblock));
            await(() -> enforcer.runs() == 2);

            assertThat(Files.readAllLines(out)).containsExactly(DecisionJson.toJson(block), DecisionJson.toJson(unblock));
            assertThat(Files.readAllLines(Path.of(out + ".env"))).containsExactly("block 2001:db8::5", "unblock 10.0.0.5");
            assertThat(enforcer.errors()).isZero();
        }
    }

    @Test
    void shouldKillAProgramThatOutlivesItsTimeoutAndCountIt() throws Exception
    {
        final Path pid = dir.resolve("pid");
        final Path program = script("hang", "sleep 30 &", "echo $! > " + pid, "wait");
        try (ExecEnforcer enforcer = new ExecEnforcer(List.of(program.toString()), Duration.ofMillis(300), 1, 10))
        {
            final long start = System.nanoTime();
            enforcer.apply(List.of(Decisions.block("10.0.0.5", T0, Duration.ofHours(1))));
            assertThat(System.nanoTime() - start).as("apply returns at once").isLessThan(TimeUnit.MILLISECONDS.toNanos(200));
            await(() -> enforcer.runs() == 1);

            assertThat(enforcer.timeouts()).isEqualTo(1);
            assertThat(enforcer.errors()).isEqualTo(1);
            assertThat(enforcer.lastError()).contains("did not finish within 300 ms and was killed");
            final long child = Long.parseLong(Files.readString(pid).strip());
            await(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
        }
    }

    @Test
    void shouldCountANonZeroExitWithWhatTheProgramSaid() throws Exception
    {
        final Path program = script("broken", "echo 'RADIUS server 192.0.2.9 unreachable' >&2", "exit 3");
        try (ExecEnforcer enforcer = new ExecEnforcer(List.of(program.toString()), Duration.ofSeconds(5), 2, 10))
        {
            enforcer.apply(List.of(Decisions.block("10.0.0.5", T0, Duration.ofHours(1)), Decisions.alert("10.0.0.6", T0)));
            await(() -> enforcer.runs() == 2);

            assertThat(enforcer.errors()).isEqualTo(2);
            assertThat(enforcer.lastError()).contains("exited 3").contains("RADIUS server 192.0.2.9 unreachable");
        }
    }

    @Test
    void shouldRefuseAndCountDecisionsBeyondTheQueueRatherThanBlock() throws Exception
    {
        final Path program = script("slow", "sleep 1");
        try (ExecEnforcer enforcer = new ExecEnforcer(List.of(program.toString()), Duration.ofSeconds(5), 1, 2))
        {
            final Decision decision = Decisions.block("10.0.0.5", T0, Duration.ofHours(1));
            enforcer.apply(List.of(decision, decision, decision, decision, decision));

            assertThat(enforcer.rejected()).isEqualTo(2);
            assertThat(enforcer.errors()).isEqualTo(2);
        }
    }

    @Test
    void shouldFailToStartWhenTheProgramIsMissing()
    {
        final ExecEnforcer enforcer = new ExecEnforcer(List.of(dir.resolve("absent").toString()), Duration.ofSeconds(1), 1, 1);

        assertThatThrownBy(enforcer::start).isInstanceOf(EnforcerException.class)
            .hasMessageContaining("does not exist or is not executable");
        enforcer.close();
    }
}
