package org.egress25.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.egress25.policy.RuleCompiler.RuleText;

/**
 * Loads the rules, all or nothing: a {@link Policy} when every file is valid, else a {@link PolicyException}
 * listing every problem as {@code file:line:column: message}.
 *
 * <p>A rules path is one YAML file, or a directory whose {@code *.yaml} and {@code *.yml} files (not
 * sub-directories) are read
 * in name order and merged section by section, as operators keep them: {@code networks.yaml},
 * {@code exemptions.yaml}, {@code detectors.yaml}, {@code enforcement.yaml}. The built-in defaults are the
 * shipped {@code rules/} directory, bundled in the jar under {@value #BUILT_IN}, so the jar works from
 * any directory.
 *
 * <p>{@link Policy#hash()} is SHA-256 over each file's name and text in name order: two gateways with the
 * same hash run the same rules, and the built-in rules hash the same as {@code rules/} read from disk.
 */
public final class PolicyLoader
{
    static final String BUILT_IN = "org/egress25/rules/";

    /**
     * Largest rule file read: 4 MiB. The shipped files are under 20 KB each; 20,000 exemptions with tickets and
     * comments are about 2 MB. A file's size is checked before it is read, so a 100 MB file dropped into the
     * directory costs nothing: read whole, composed and checked it took 1.3 GB of heap, and on a 256 MB heap
     * it killed the reload thread with an OutOfMemoryError.
     */
    public static final long MAX_FILE_BYTES = 4L << 20;
    /** Largest rule set (all files of a directory together): 16 MiB, about 1 GB of heap at worst to load. */
    public static final long MAX_SET_BYTES = 16L << 20;

    private static final String INDEX = "index.txt";

    private PolicyLoader()
    {
    }

    /** Loads a rules file or directory; sections it leaves out come from the built-in rules. */
    public static Policy load(final Path path) throws PolicyException
    {
        return load(path, Instant.now());
    }

    /**
     * As {@link #load(Path)}, with the wall-clock time used only to warn about exemptions that have expired
     * (on the packet path, expiry is judged against capture time).
     */
    public static Policy load(final Path path, final Instant now) throws PolicyException
    {
        final List<RuleText> texts = read(path);
        return new RuleCompiler(loadDefaults(), now).compile(texts, describe(path, texts), hash(texts));
    }

    /**
     * The built-in rules: the shipped {@code rules/} files bundled in the jar. They are complete (every
     * section and field stated) and tested to load, so a failure here is a broken build, not an operator error.
     */
    public static Policy loadDefaults()
    {
        return Defaults.POLICY;
    }

    /** Compiles texts already in memory (for tests and {@code loadDefaults}). */
    static Policy compile(final List<RuleText> texts, final Policy base, final Instant now, final String description)
        throws PolicyException
    {
        return new RuleCompiler(base, now).compile(texts, description, hash(texts));
    }

    private static List<RuleText> read(final Path path) throws PolicyException
    {
        final List<RuleText> texts = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        if (Files.isDirectory(path))
        {
            final List<Path> files = ruleFiles(path);
            if (files.isEmpty())
            {
                throw fail(path.toString(), "no *.yaml or *.yml rule files in this directory");
            }
            long total = 0;
            for (final Path file : files)
            {
                total += sizeOf(file);
            }
            if (total > MAX_SET_BYTES)
            {
                throw fail(path.toString(), "the rule files hold " + total + " bytes together, over the limit of "
                    + MAX_SET_BYTES + " bytes for a rule set");
            }
            for (final Path file : files)
            {
                readFile(file, texts, problems);
            }
        }
        else
        {
            readFile(path, texts, problems);
        }
        if (!problems.isEmpty())
        {
            throw new PolicyException(problems);
        }
        return texts;
    }

    /** The rule files of a directory in name order: regular {@code *.yaml} and {@code *.yml} files. */
    static List<Path> ruleFiles(final Path directory) throws PolicyException
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*.{yaml,yml}"))
        {
            for (final Path file : stream)
            {
                if (Files.isRegularFile(file))
                {
                    files.add(file);
                }
            }
        }
        catch (final IOException e)
        {
            throw fail(directory.toString(), "cannot list the directory: " + e.getMessage());
        }
        files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return files;
    }

    private static long sizeOf(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException e)
        {
            return 0; // vanished since the listing: readFile says so
        }
    }

    private static void readFile(final Path file, final List<RuleText> texts, final List<Problem> problems)
    {
        try (InputStream in = Files.newInputStream(file))
        {
            // the size is checked on what is read, not on a stat, so a file growing meanwhile is still bounded
            final byte[] bytes = in.readNBytes((int)MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES)
            {
                problems.add(new Problem(file.toString(), 0, 0, Problem.Severity.ERROR, Math.max(bytes.length,
                    sizeOf(file)) + " bytes, over the limit of " + MAX_FILE_BYTES + " bytes for one rule file"));
                return;
            }
            texts.add(new RuleText(file.toString(), decode(bytes)));
        }
        catch (final NoSuchFileException e)
        {
            problems.add(new Problem(file.toString(), 0, 0, Problem.Severity.ERROR, "no such file or directory"));
        }
        catch (final CharacterCodingException e)
        {
            problems.add(new Problem(file.toString(), 0, 0, Problem.Severity.ERROR, "not UTF-8 text"));
        }
        catch (final IOException e)
        {
            problems.add(new Problem(file.toString(), 0, 0, Problem.Severity.ERROR, "cannot read: " + e));
        }
    }

    private static String decode(final byte[] bytes) throws CharacterCodingException
    {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
    }

    private static PolicyException fail(final String file, final String message)
    {
        return new PolicyException(List.of(new Problem(file, 0, 0, Problem.Severity.ERROR, message)));
    }

    private static String describe(final Path path, final List<RuleText> texts)
    {
        if (!Files.isDirectory(path))
        {
            return path.toString();
        }
        final List<String> names = new ArrayList<>();
        for (final RuleText text : texts)
        {
            names.add(Path.of(text.name()).getFileName().toString());
        }
        return path + " (" + String.join(", ", names) + ")";
    }

    /** SHA-256 over (file name, NUL, text, NUL) for each file in order; hex. */
    static String hash(final List<RuleText> texts)
    {
        try
        {
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (final RuleText text : texts)
            {
                final String name = text.name();
                final int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
                digest.update(name.substring(slash + 1).getBytes(StandardCharsets.UTF_8));
                digest.update((byte)0);
                digest.update(text.text().getBytes(StandardCharsets.UTF_8));
                digest.update((byte)0);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Reads the bundled rules once, on first use. */
    private static final class Defaults
    {
        static final Policy POLICY = loadBundled();

        private static Policy loadBundled()
        {
            final ClassLoader loader = PolicyLoader.class.getClassLoader();
            final List<RuleText> texts = new ArrayList<>();
            try
            {
                for (final String name : bundledText(loader, INDEX).split("\n"))
                {
                    final String file = name.trim();
                    if (!file.isEmpty() && !file.startsWith("#"))
                    {
                        texts.add(new RuleText("jar:rules/" + file, bundledText(loader, file)));
                    }
                }
                return compile(texts, null, Instant.now(), "built-in rules (" + texts.size() + " files)");
            }
            catch (final IOException | PolicyException e)
            {
                throw new IllegalStateException("the built-in rules in the jar are broken: " + e.getMessage(), e);
            }
        }

        private static String bundledText(final ClassLoader loader, final String name) throws IOException
        {
            try (InputStream in = loader.getResourceAsStream(BUILT_IN + name))
            {
                if (in == null)
                {
                    throw new IOException(BUILT_IN + name + " is missing from the class path");
                }
                return decode(in.readAllBytes());
            }
        }
    }
}
