package org.egress25.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Network namespaces the tests create themselves (never the host's own), joined by veth pairs. Every
 * namespace made through one instance is deleted by {@link #close()}, which tests call in a finally block
 * or {@code @AfterEach} so a failing test leaves nothing behind.
 */
public final class NetNs implements AutoCloseable
{
    private final String prefix = "e25t" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private final List<String> namespaces = new ArrayList<>();

    /** Creates a namespace with loopback up; the name is unique to this test run. */
    public String create(final String role)
    {
        final String name = prefix + "-" + role;
        Shell.run("ip", "netns", "add", name).orThrow("ip netns add " + name);
        namespaces.add(name);
        exec(name, "ip", "link", "set", "lo", "up").orThrow("lo up");
        return name;
    }

    /** A veth pair with one end in each namespace, both up. Interface names are at most 15 characters. */
    public void link(final String nsA, final String ifA, final String nsB, final String ifB)
    {
        Shell.run("ip", "link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB)
            .orThrow("veth " + ifA + "/" + ifB);
        exec(nsA, "ip", "link", "set", ifA, "up").orThrow("up " + ifA);
        exec(nsB, "ip", "link", "set", ifB, "up").orThrow("up " + ifB);
    }

    public void address(final String ns, final String ifName, final String cidr)
    {
        final boolean v6 = cidr.contains(":");
        final List<String> cmd = new ArrayList<>(List.of("ip"));
        if (v6)
        {
            cmd.add("-6");
        }
        cmd.addAll(List.of("addr", "add", cidr, "dev", ifName));
        if (v6)
        {
            cmd.add("nodad");
        }
        exec(ns, cmd).orThrow("addr " + cidr);
    }

    public void route(final String ns, final String destination, final String via)
    {
        exec(ns, "ip", "route", "add", destination, "via", via).orThrow("route " + destination);
    }

    public Shell.Result exec(final String ns, final String... command)
    {
        return exec(ns, List.of(command));
    }

    public Shell.Result exec(final String ns, final List<String> command)
    {
        return Shell.run(inNs(ns, command), 120);
    }

    /** The command prefixed to run inside {@code ns}. */
    public static List<String> inNs(final String ns, final List<String> command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(command);
        return full;
    }

    public static boolean available()
    {
        return Shell.isRoot() && Shell.hasCommand("ip");
    }

    @Override
    public void close()
    {
        for (final String ns : namespaces)
        {
            // kill anything left running inside, then delete
            Shell.run(List.of("sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9"), 10);
            Shell.run(List.of("ip", "netns", "del", ns), 10);
        }
        namespaces.clear();
    }
}
