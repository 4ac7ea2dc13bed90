package org.egress25.enforce;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away network the tests own: client namespace → router namespace (forwarding, where the enforcer's
 * table lives) → server namespace listening on TCP 25 and 587, both address families:
 *
 * <pre>
 *   client  10.250.1.2 (blocked) 10.250.1.3 (clean)     router 10.250.1.1 | 10.250.9.1     server 10.250.9.2
 *           fd25:1::2            fd25:1::3                     fd25:1::1  | fd25:9::1             fd25:9::2
 * </pre>
 *
 * The veth pairs are created inside the namespaces, so their names cannot clash with the host or with a
 * lab of a parallel run; the host's own ruleset is never touched. {@link #close} removes everything.
 */
final class NetnsLab implements AutoCloseable
{
    static final String BLOCKED4 = "10.250.1.2";
    static final String CLEAN4 = "10.250.1.3";
    static final String SERVER4 = "10.250.9.2";
    static final String BLOCKED6 = "fd25:1::2";
    static final String CLEAN6 = "fd25:1::3";
    static final String SERVER6 = "fd25:9::2";

    enum Outcome
    {
        OPEN,
        REFUSED,
        TIMEOUT,
        ERROR
    }

    private static final String SERVER_PY = String.join("\n",
        "import socket, selectors, sys",
        "sel = selectors.DefaultSelector()",
        "for port in (25, 587):",
        "    s = socket.create_server(('', port), family=socket.AF_INET6, dualstack_ipv6=True, backlog=64)",
        "    sel.register(s, selectors.EVENT_READ)",
        "print('ready', flush=True)",
        "while True:",
        "    for key, _ in sel.select():",
        "        c, _ = key.fileobj.accept()",
        "        c.close()");

    private static final String CONNECT_PY = String.join("\n",
        "import socket, sys",
        "src, dst, port, t = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])",
        "s = socket.socket(socket.AF_INET6 if ':' in dst else socket.AF_INET, socket.SOCK_STREAM)",
        "s.settimeout(t)",
        "s.bind((src, 0))",
        "try:",
        "    s.connect((dst, port)); print('open')",
        "except ConnectionRefusedError: print('refused')",
        "except socket.timeout: print('timeout')",
        "except OSError as e: print('error', e)");

    final String client;
    final String router;
    final String server;
    private final List<String> created = new ArrayList<>();
    private Process serverProcess;

    private NetnsLab()
    {
        final String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        client = "e25t-" + id + "-c";
        router = "e25t-" + id + "-r";
        server = "e25t-" + id + "-s";
    }

    /** True when this process can build namespaces: root, with ip, nft and python3 installed. */
    static boolean available()
    {
        return "root".equals(System.getProperty("user.name")) && onPath("ip") && onPath("nft") && onPath("python3");
    }

    private static boolean onPath(final String program)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program)))
            {
                return true;
            }
        }
        return false;
    }

    static NetnsLab create() throws IOException, InterruptedException
    {
        final NetnsLab lab = new NetnsLab();
        try
        {
            lab.build();
            return lab;
        }
        catch (final IOException | InterruptedException | RuntimeException e)
        {
            lab.close();
            throw e;
        }
    }

    private void build() throws IOException, InterruptedException
    {
        for (final String ns : List.of(client, router, server))
        {
            sh("ip", "netns", "add", ns);
            created.add(ns);
            sh("ip", "-n", ns, "link", "set", "lo", "up");
            // no duplicate address detection, so link-local and static IPv6 addresses work at once, not after ~1-2 s
            sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0");
        }
        sh("ip", "-n", client, "link", "add", "c0", "type", "veth", "peer", "name", "rc", "netns", router);
        sh("ip", "-n", server, "link", "add", "s0", "type", "veth", "peer", "name", "rs", "netns", router);
        address(client, "c0", BLOCKED4 + "/24", CLEAN4 + "/24", BLOCKED6 + "/64", CLEAN6 + "/64");
        address(router, "rc", "10.250.1.1/24", "fd25:1::1/64");
        address(router, "rs", "10.250.9.1/24", "fd25:9::1/64");
        address(server, "s0", SERVER4 + "/24", SERVER6 + "/64");
        sh("ip", "-n", client, "route", "add", "default", "via", "10.250.1.1");
        sh("ip", "-n", client, "-6", "route", "add", "default", "via", "fd25:1::1");
        sh("ip", "-n", server, "route", "add", "default", "via", "10.250.9.1");
        sh("ip", "-n", server, "-6", "route", "add", "default", "via", "fd25:9::1");
        sh("ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");

        serverProcess = new ProcessBuilder("ip", "netns", "exec", server, "python3", "-c", SERVER_PY)
            .redirectErrorStream(true).start();
        final BufferedReader out = new BufferedReader(
            new InputStreamReader(serverProcess.getInputStream(), StandardCharsets.UTF_8));
        final String line = out.readLine();
        if (!"ready".equals(line))
        {
            throw new IOException("test SMTP listener did not start: " + line);
        }
    }

    private void address(final String ns, final String dev, final String... cidrs) throws IOException, InterruptedException
    {
        for (final String cidr : cidrs)
        {
            sh("ip", "-n", ns, "addr", "add", cidr, "dev", dev);
        }
        sh("ip", "-n", ns, "link", "set", dev, "up");
    }

    /** The enforcer's nft command: nft inside the router namespace. */
    List<String> nft()
    {
        return List.of("ip", "netns", "exec", router, "nft");
    }

    /**
     * An nft stand-in that fails with {@code message} until the file {@code healthy} exists, then runs the
     * real nft in the router namespace: a firewall that is broken for a while and then comes back.
     */
    Path flakyNft(final Path dir, final Path healthy, final String message) throws IOException
    {
        final Path wrapper = dir.resolve("nft");
        Files.writeString(wrapper, String.join("\n",
            "#!/bin/sh",
            "[ -e " + healthy + " ] || { echo '" + message + "' >&2; exit 1; }",
            "exec " + String.join(" ", nft()) + " \"$@\"",
            ""));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        return wrapper;
    }

    /**
     * An nft stand-in that refuses any transaction naming {@code poison} (as the kernel refuses an element it
     * cannot take) and runs the real nft in the router namespace for everything else.
     */
    Path refusingNft(final Path dir, final String poison) throws IOException
    {
        final Path wrapper = dir.resolve("nft-refusing");
        Files.writeString(wrapper, String.join("\n",
            "#!/bin/bash",
            "if [ \"$1\" = -f ]; then script=$(cat); else script=''; fi",
            "case \"$script\" in *'" + poison + " '*|*'" + poison + ",'*) echo 'Error: Could not process rule: value too large' >&2; exit 1;; esac",
            "if [ \"$1\" = -f ]; then printf '%s\\n' \"$script\" | " + String.join(" ", nft()) + " \"$@\"; else exec "
                + String.join(" ", nft()) + " \"$@\"; fi",
            ""));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        return wrapper;
    }

    /** Runs nft in the router namespace with a script on stdin (for tables the test owns). */
    String nftScript(final String script) throws IOException, InterruptedException
    {
        return run(List.of("ip", "netns", "exec", router, "nft", "-f", "-"), script);
    }

    String nftList(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(nft());
        command.add("list");
        command.addAll(List.of(args));
        return run(command, "");
    }

    /** Opens a TCP connection from {@code source} in the client namespace. */
    Outcome connect(final String source, final String destination, final int port, final double timeoutSeconds)
        throws IOException, InterruptedException
    {
        final String out = run(List.of("ip", "netns", "exec", client, "python3", "-c", CONNECT_PY,
            source, destination, Integer.toString(port), Double.toString(timeoutSeconds)), "").strip();
        return out.startsWith("error") ? Outcome.ERROR : Outcome.valueOf(out.toUpperCase(Locale.ROOT));
    }

    static String sh(final String... command) throws IOException, InterruptedException
    {
        return run(List.of(command), "");
    }

    static String run(final List<String> command, final String stdin) throws IOException, InterruptedException
    {
        final Processes.Result result = Processes.run(command, stdin, java.time.Duration.ofSeconds(20), java.util.Map.of());
        if (!result.ok())
        {
            throw new IOException(String.join(" ", command) + " failed: " + result.output());
        }
        return result.output();
    }

    @Override
    public void close()
    {
        if (serverProcess != null)
        {
            Processes.kill(serverProcess);
        }
        for (final String ns : created)
        {
            try
            {
                new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            }
            catch (final IOException | InterruptedException e)
            {
                // best effort; the name is random, a leftover cannot disturb the next run
            }
        }
    }
}
