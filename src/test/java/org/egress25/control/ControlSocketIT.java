package org.egress25.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.NetNs;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket of a real {@code egress25 run} against real accounts: the CLI started as other users
 * with {@code setpriv}, as the abuse desk's people would run it. Someone in neither group is refused with a
 * message naming the group; a member of the read group may list but not unblock; a member of the control
 * group may block, and the decisions log says it was them. The groups and users are made for the test and
 * removed after it (random names, so parallel runs do not meet).
 */
class ControlSocketIT
{
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldLetOnlyGroupMembersChangeBlocksAndNameWhoDidIt() throws Exception
    {
        assumeTrue(NetNs.available() && Shell.hasCommand("setpriv") && Shell.hasCommand("useradd"),
            "needs root, setpriv and useradd");
        final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        final String controlGroup = "e25w" + tag;
        final String readGroup = "e25r" + tag;
        final String operator = "e25o" + tag;
        final String reader = "e25v" + tag;
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path socket = dir.resolve("run").resolve("control.sock");
        final Path decisions = dir.resolve("decisions.jsonl");
        try (NetNs net = new NetNs())
        {
            Shell.run("groupadd", controlGroup).orThrow("groupadd");
            Shell.run("groupadd", readGroup).orThrow("groupadd");
            Shell.run("useradd", "--no-create-home", "--gid", "nogroup", "--groups", controlGroup, operator).orThrow("useradd");
            Shell.run("useradd", "--no-create-home", "--gid", "nogroup", "--groups", readGroup, reader).orThrow("useradd");
            final String gateway = net.create("gw");
            try (Egress25Process egress = Egress25Process.start(gateway, "run", "--interface", "lo", "--inside", "10.0.0.0/8",
                "--enforce", "none", "--state-dir", dir.resolve("state").toString(), "--decisions", decisions.toString(),
                "--metrics-port", "0", "--control-socket", socket.toString(), "--control-group", controlGroup,
                "--control-read-group", readGroup))
            {
                egress.awaitStderr(l -> l.contains("running on lo"), 30_000);

                final Shell.Result stranger = cliAs("--reuid=65534", "--regid=65534", "--clear-groups",
                    "unblock", "10.0.3.4", "--reason", "let me out", "--control-socket", socket.toString());
                assertThat(stranger.exitCode()).as(stranger.stderr()).isEqualTo(1);
                assertThat(stranger.stderr()).contains("permission denied: 'unblock' needs root or membership in group "
                    + controlGroup).contains("uid 65534");
                assertThat(cliAs("--reuid=65534", "--regid=65534", "--clear-groups", "blocks", "--control-socket",
                    socket.toString()).stderr()).contains("permission denied: 'blocks'");

                final Shell.Result block = cliAs("--reuid=" + operator, "--regid=nogroup", "--init-groups",
                    "block", "10.0.3.4", "--for", "10m", "--reason", "AR-99", "--control-socket", socket.toString());
                assertThat(block.exitCode()).as(block.stderr()).isZero();
                assertThat(block.stdout()).contains("blocked 10.0.3.4");

                final Shell.Result list = cliAs("--reuid=" + reader, "--regid=nogroup", "--init-groups",
                    "blocks", "--control-socket", socket.toString());
                assertThat(list.exitCode()).as(list.stderr()).isZero();
                assertThat(list.stdout()).contains("10.0.3.4").contains("AR-99 [by " + operator);
                final Shell.Result readerUnblock = cliAs("--reuid=" + reader, "--regid=nogroup", "--init-groups",
                    "unblock", "10.0.3.4", "--reason", "x", "--control-socket", socket.toString());
                assertThat(readerUnblock.exitCode()).isEqualTo(1);
                assertThat(readerUnblock.stderr()).contains("'unblock' needs root or membership in group " + controlGroup);

                final Shell.Result notBlocked = cliAs("--reuid=0", "--regid=0", "--keep-groups",
                    "unblock", "10.0.3.77", "--reason", "never was", "--control-socket", socket.toString());
                assertThat(notBlocked.exitCode()).as(notBlocked.stderr()).isZero();
                assertThat(notBlocked.stdout()).contains("10.0.3.77 was not blocked");
            }
            assertThat(Files.readString(decisions)).contains("\"rule\":\"manual\"").contains("AR-99 [by " + operator + " (uid ")
                .doesNotContain("let me out").as("an unblock of a host never blocked is no decision")
                .doesNotContain("10.0.3.77");
        }
        finally
        {
            Shell.run("userdel", operator);
            Shell.run("userdel", reader);
            Shell.run("groupdel", controlGroup);
            Shell.run("groupdel", readGroup);
        }
    }

    private static Shell.Result cliAs(final String... setprivThenArgs)
    {
        final List<String> command = new ArrayList<>(List.of("setpriv"));
        int i = 0;
        while (setprivThenArgs[i].startsWith("--"))
        {
            command.add(setprivThenArgs[i++]);
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-jar",
            Egress25Process.jar().toString()));
        while (i < setprivThenArgs.length)
        {
            command.add(setprivThenArgs[i++]);
        }
        return Shell.run(command, 60);
    }
}
