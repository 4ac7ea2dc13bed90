package org.egress25.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live lab of {@code deploy/lab.sh demo}, run exactly as an operator would: a real mass-mailer behind a
 * gateway namespace running {@code target/egress25.jar} with the nftables enforcer, real aiosmtpd servers
 * beyond it. The script itself checks each promise (blocked within seconds, others unaffected, 587 open,
 * expiry, unblock) and prints PASS or FAIL per check; this test holds it to every one of them and to leaving
 * no namespace behind. The demo takes about 35 s (the 20 s first ladder step is most of it).
 */
class LabIT
{
    /** Checks that must be among the PASS lines: what the lab demonstrates end to end, in the script's own words. */
    private static final List<String> REQUIRED = List.of(
        "PASS  spambot blocked: rule ",
        "PASS  kernel set inet egress25 blocked4 holds 10.99.0.66",
        "PASS  spambot's port-25 connections fail within seconds of the decision",
        "PASS  spambot's own address still submits on 587",
        "PASS  clean host still submits on 587 while the spambot is blocked",
        "PASS  business MTA still sends on 25 while the spambot is blocked",
        "PASS  kernel lifted the block at expiry",
        "PASS  spambot can send on 25 again after expiry",
        "PASS  egress25 unblock 10.99.0.66 removes it from the kernel set",
        "PASS  spambot can send on 25 again after unblock");

    @Test
    @Timeout(value = 330, unit = TimeUnit.SECONDS)
    void shouldCutOffTheLabSpambotAndNobodyElseThenLiftTheBlockAndCleanUp(@TempDir final Path dir) throws Exception
    {
        assumeTrue(Shell.isRoot() && Shell.hasCommand("ip") && Shell.hasCommand("nft"),
            "the lab needs root, iproute2 and nftables");
        final String lab = "e25lab" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        final Path output = dir.resolve("lab.out");
        final ProcessBuilder demo = new ProcessBuilder("bash", "deploy/lab.sh", "demo")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
        demo.environment().put("EGRESS25_JAR", Egress25Process.jar().toString());
        demo.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        demo.environment().put("EGRESS25_LAB", lab);
        demo.environment().put("LAB_DIR", dir.resolve("lab").toString());

        final long started = System.nanoTime();
        final Process process = demo.start();
        final int exit = awaitOrStop(process, lab);
        final long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        final String out = Files.readString(output, StandardCharsets.UTF_8);
        System.out.println(out);

        assertThat(Shell.run("ip", "netns", "list").stdout()).as("namespaces left behind").doesNotContain(lab);
        assertThat(out).as("lab output (logs in %s)", dir.resolve("lab")).doesNotContain("FAIL  ");
        for (final String line : REQUIRED)
        {
            assertThat(out).contains(line);
        }
        assertThat(out).contains("lab demo: all ");
        assertThat(exit).as("lab.sh demo exit code; output:%n%s", out).isZero();
        assertThat(seconds).as("demo run time in seconds").isLessThan(180);
    }

    /** Waits up to five minutes; past that SIGTERM lets the script's trap clean up, then `down` as a last resort. */
    private static int awaitOrStop(final Process process, final String lab) throws Exception
    {
        if (process.waitFor(300, TimeUnit.SECONDS))
        {
            return process.exitValue();
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            final ProcessBuilder down = new ProcessBuilder("bash", "deploy/lab.sh", "down").redirectErrorStream(true);
            down.environment().put("EGRESS25_LAB", lab);
            down.start().waitFor(30, TimeUnit.SECONDS);
        }
        throw new AssertionError("deploy/lab.sh demo did not finish within 300 s");
    }
}
