package org.egress25.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Real TCP peers for namespace tests, as small Debian-python programs: a server that accepts on given ports
 * on every address of its namespace and greets like an SMTP server, and a client that connects from a given
 * source address and says how many connections succeeded.
 */
public final class TcpPeers
{
    private static final String SERVER = String.join("\n",
        "import socket, sys, threading",
        "def serve(port):",
        "    s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)",
        "    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
        "    s.bind((sys.argv[1], port)); s.listen(512)",
        "    while True:",
        "        c, _ = s.accept()",
        "        try: c.sendall(b'220 lab ESMTP\\r\\n')",
        "        except OSError: pass",
        "        c.close()",
        "for p in sys.argv[2:]: threading.Thread(target=serve, args=(int(p),), daemon=True).start()",
        "print('listening', flush=True)",
        "threading.Event().wait()");

    private static final String CLIENT = String.join("\n",
        "import socket, sys",
        "src, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])",
        "ok = 0",
        "for dst in sys.argv[4:]:",
        "    try:",
        "        c = socket.create_connection((dst, port), timeout=timeout, source_address=(src, 0))",
        "        c.recv(64); c.close(); ok += 1",
        "    except OSError: pass",
        "print(ok)");

    private TcpPeers()
    {
    }

    /** Starts a greeting server on {@code ports} on every IPv4 address of {@code ns}. */
    public static Process server(final String ns, final int... ports) throws java.io.IOException
    {
        return serverOn(ns, "0.0.0.0", ports);
    }

    /** The same on {@code bind}: {@code ::} for every address of both families. */
    public static Process serverOn(final String ns, final String bind, final int... ports) throws java.io.IOException
    {
        final List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-c", SERVER, bind));
        for (final int port : ports)
        {
            cmd.add(Integer.toString(port));
        }
        final Process p = new ProcessBuilder(NetNs.inNs(ns, cmd)).redirectErrorStream(true).start();
        try
        {
            new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        }
        catch (final java.io.IOException e)
        {
            p.destroyForcibly();
            throw e;
        }
        return p;
    }

    /** Connects from {@code source} to each destination on {@code port}; returns how many connected. */
    public static int connect(final NetNs net, final String ns, final String source, final int port,
        final double timeoutSeconds, final List<String> destinations)
    {
        final List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-c", CLIENT, source,
            Integer.toString(port), Double.toString(timeoutSeconds)));
        cmd.addAll(destinations);
        final Shell.Result r = net.exec(ns, cmd).orThrow("client from " + source);
        return Integer.parseInt(r.stdout().trim());
    }
}
