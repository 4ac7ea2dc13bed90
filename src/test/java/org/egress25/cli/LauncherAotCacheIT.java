package org.egress25.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.egress25.testing.Egress25Process;
import org.egress25.testing.Shell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped launcher and its AOT cache, as setup.sh leaves them: {@code deploy/aot-cache.sh} trains a cache
 * beside a copy of the jar, and {@code deploy/egress25} starts from it when it was made for this JVM, jar and
 * flags, and quietly without it when not. Where a class came from is read from the JVM's own class-loading log
 * (JAVA_TOOL_OPTIONS, which the launcher's flags do not replace).
 */
class LauncherAotCacheIT
{
    private static final String FROM_CACHE = "org.egress25.cli.Main source: shared objects file";

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldStartFromTheTrainedCacheAndIgnoreItCleanlyOnceTheJarOrTheFlagsChange(@TempDir final Path dir)
        throws Exception
    {
        final Path jar = dir.resolve("egress25.jar");
        Files.copy(Egress25Process.jar(), jar, StandardCopyOption.COPY_ATTRIBUTES);
        Shell.run(List.of("env", "EGRESS25_JAR=" + jar, "bash", "deploy/aot-cache.sh"), 180).orThrow("aot-cache.sh");
        assertThat(dir.resolve("egress25.aot")).isNotEmptyFile();

        final Run trained = launch(dir, jar, null);
        assertThat(trained.classLog()).contains(FROM_CACHE);
        assertThat(trained.result().stdout()).startsWith("Rules: rules");

        final Run otherFlags = launch(dir, jar, "-XX:+UseSerialGC -XX:+UseCompactObjectHeaders");
        assertThat(otherFlags.classLog()).doesNotContain(FROM_CACHE);
        assertThat(otherFlags.jvmMessages()).isEmpty();
        assertThat(otherFlags.result().stdout()).isEqualTo(trained.result().stdout());

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2_000));
        final Run rebuiltJar = launch(dir, jar, null);
        assertThat(rebuiltJar.classLog()).doesNotContain(FROM_CACHE);
        assertThat(rebuiltJar.jvmMessages()).isEmpty();
        assertThat(rebuiltJar.result().stdout()).isEqualTo(trained.result().stdout());
    }

    private record Run(Shell.Result result, String classLog)
    {
        /**
         * What the JVM itself printed: a refused cache says so in "[aot]" lines on stdout (unified logging's
         * default), other warnings go to stderr, where the JAVA_TOOL_OPTIONS echo is left out.
         */
        List<String> jvmMessages()
        {
            final List<String> messages = new ArrayList<>(result.stdout().lines().filter(l -> l.contains("][aot")).toList());
            messages.addAll(result.stderr().lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList());
            return messages;
        }
    }

    private static Run launch(final Path dir, final Path jar, final String javaOpts) throws Exception
    {
        final Path classLog = Files.createTempFile(dir, "classes", ".log");
        final List<String> command = new ArrayList<>(List.of("env", "EGRESS25_JAR=" + jar,
            "JAVA_TOOL_OPTIONS=-Xlog:class+load=info:file=" + classLog));
        if (javaOpts != null)
        {
            command.add("JAVA_OPTS=" + javaOpts);
        }
        command.addAll(List.of("bash", "deploy/egress25", "rules", "check", "rules"));
        final Shell.Result result = Shell.run(command, 60).orThrow("deploy/egress25 rules check");
        return new Run(result, Files.readString(classLog));
    }
}
