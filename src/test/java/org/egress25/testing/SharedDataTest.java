package org.egress25.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedDataTest
{
    @TempDir
    Path work;

    @Test
    void shouldFindTheClonesTopFromAModuleInsideIt() throws IOException
    {
        final Path clone = Files.createDirectories(work.resolve("egress25"));
        Files.createDirectory(clone.resolve(".git"));
        Files.writeString(clone.resolve("pom.xml"), "<project/>");
        final Path module = Files.createDirectories(clone.resolve("src").resolve("synth"));
        Files.writeString(module.resolve("pom.xml"), "<project/>");

        assertThat(SharedData.cloneRoot(module)).isEqualTo(clone);
        assertThat(SharedData.cloneRoot(clone)).isEqualTo(clone);
    }

    @Test
    void shouldTakeTheOutermostProjectAsTheCloneWhenThereIsNoGit() throws IOException
    {
        final Path tree = Files.createDirectories(work.resolve("egress25-1.0"));
        Files.writeString(tree.resolve("pom.xml"), "<project/>");
        final Path module = Files.createDirectories(tree.resolve("src").resolve("synth"));
        Files.writeString(module.resolve("pom.xml"), "<project/>");

        assertThat(SharedData.cloneRoot(module)).isEqualTo(tree);
    }

    @Test
    void shouldFindTheCapturesInSharedBesideTheClone() throws IOException
    {
        final Path clone = Files.createDirectories(work.resolve("egress25"));
        final Path captures = Files.createDirectories(work.resolve("shared").resolve("data").resolve("smtp-captures"));
        Files.writeString(captures.resolve("INDEX.md"), "| file |\n");

        assertThat(SharedData.smtpCaptures(null, clone)).isEqualTo(captures);
    }

    @Test
    void shouldFailNamingThePathTriedAndHowToProvideItWhenSharedIsMissing() throws IOException
    {
        final Path clone = Files.createDirectories(work.resolve("egress25"));

        assertThatThrownBy(() -> SharedData.smtpCaptures(null, clone))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining(work.resolve("shared").resolve("data").resolve("smtp-captures").toString())
            .hasMessageContaining("beside the clone " + clone)
            .hasMessageContaining("-D" + SharedData.PROPERTY + "=DIR");
    }

    @Test
    void shouldFailNamingTheConfiguredDirectoryWhenItHoldsNoIndex()
    {
        assertThatThrownBy(() -> SharedData.smtpCaptures(work.toString(), work))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("no INDEX.md in " + work)
            .hasMessageContaining("from -D" + SharedData.PROPERTY);
    }

    @Test
    void shouldFindTheRealCapturesFromThisClone()
    {
        assertThat(SharedData.smtpCaptures().resolve("INDEX.md")).isRegularFile();
    }
}
