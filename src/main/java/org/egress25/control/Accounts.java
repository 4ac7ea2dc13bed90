package org.egress25.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The local account database as {@code id(1)} sees it: a user's uid, primary group and the groups that list it
 * as a member in {@code /etc/group}. Read afresh for every control request (two small files), so adding a
 * person to {@code egress25} takes effect without a restart, as it does for {@code sudo}.
 */
final class Accounts
{
    private final Path passwd;
    private final Path group;

    Accounts(final Path passwd, final Path group)
    {
        this.passwd = passwd;
        this.group = group;
    }

    static Accounts system()
    {
        return new Accounts(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /**
     * Who is calling, from the peer credentials' user and group names. The JDK names a uid or gid with no
     * account by its number, so those stay numbers here too.
     */
    Caller caller(final String userName, final String peerGroupName)
    {
        final List<String> passwdLines = lines(passwd);
        final List<String> groupLines = lines(group);
        int uid = number(userName);
        String primaryGid = null;
        for (final String line : passwdLines)
        {
            final String[] f = line.split(":", -1);
            if (f.length >= 4 && (f[0].equals(userName) || f[2].equals(userName)))
            {
                uid = number(f[2]);
                primaryGid = f[3];
                break;
            }
        }
        final Set<String> groups = new LinkedHashSet<>();
        groups.add(peerGroupName);
        for (final String line : groupLines)
        {
            final String[] f = line.split(":", -1);
            if (f.length < 4)
            {
                continue;
            }
            if (f[2].equals(primaryGid) || f[2].equals(peerGroupName)
                || Arrays.asList(f[3].split(",")).contains(userName))
            {
                groups.add(f[0]);
            }
        }
        return new Caller(userName, uid, Set.copyOf(groups));
    }

    private static int number(final String text)
    {
        try
        {
            return Integer.parseInt(text);
        }
        catch (final NumberFormatException e)
        {
            return -1;
        }
    }

    private static List<String> lines(final Path file)
    {
        try
        {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException e)
        {
            // an unreadable account database grants nothing beyond root, which needs no lookup
            return List.of();
        }
    }
}
