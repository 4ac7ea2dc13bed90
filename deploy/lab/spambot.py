#!/usr/bin/python3
"""A small real mass-mailer: the spambot of the egress25 lab.

It does what a spam zombie does (Duan et al., SPOT, 2009: direct-to-MX delivery at a high rate): it
walks a list of mail exchangers on port 25 and delivers one short message per SMTP session with
Python's smtplib, back to back, each session with a different made-up HELO name and sender, from the
source address given. Every attempt is logged as one JSON line, so the lab can tell when the gateway
cut it off:

    {"start": 1764300000.123, "end": 1764300000.140, "server": "198.18.0.7", "result": "delivered"}

result is delivered, refused (a TCP reset to the SYN: the gateway's nftables reject), timeout, or
error (anything else, with "detail").

It stops on its own: after --max-sessions sessions, after --max-seconds, or once every attempt for
--give-up-after seconds has been refused (the bot has been cut off). It only ever talks to the
addresses it is given, which the lab puts in its own network namespaces.
"""

import argparse
import json
import random
import smtplib
import socket
import string
import sys
import time

from smtp_server import expand  # the same address ranges as the servers (this script's own folder)

RECIPIENT_DOMAINS = ["d%d.lab.example" % i for i in range(10)]


def word(n):
    return "".join(random.choice(string.ascii_lowercase) for _ in range(n))


def one_session(source, server, port, timeout):
    helo = "%s-%s" % (word(6), word(4))
    sender = "%s@%s.example" % (word(8), word(6))
    recipient = "%s@%s" % (word(7), random.choice(RECIPIENT_DOMAINS))
    message = ("From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nCheap %s, click http://%s.example/\r\n"
               % (sender, recipient, word(10), word(6), word(8)))
    with smtplib.SMTP(server, port, local_hostname=helo, timeout=timeout,
                      source_address=(source, 0)) as smtp:
        smtp.sendmail(sender, [recipient], message)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="source address to send from")
    parser.add_argument("--port", type=int, default=25)
    parser.add_argument("--log", required=True, help="JSON Lines file, one line per attempt")
    parser.add_argument("--max-sessions", type=int, default=400)
    parser.add_argument("--max-seconds", type=float, default=20.0)
    parser.add_argument("--give-up-after", type=float, default=3.0,
                        help="stop once every attempt for this many seconds was refused")
    parser.add_argument("--timeout", type=float, default=3.0, help="connect and command timeout")
    parser.add_argument("servers", nargs="+", help="server address, or a last-octet range 198.18.0.1-30")
    args = parser.parse_args()
    servers = [a for spec in args.servers for a in expand(spec)]

    began = time.time()
    refused_since = None
    counts = {"delivered": 0, "refused": 0, "timeout": 0, "error": 0}
    with open(args.log, "a", buffering=1) as log:
        for n in range(args.max_sessions):
            if time.time() - began > args.max_seconds:
                break
            server = servers[n % len(servers)]
            start = time.time()
            entry = {"start": start, "server": server}
            try:
                one_session(args.source, server, args.port, args.timeout)
                entry["result"] = "delivered"
            except ConnectionRefusedError:
                entry["result"] = "refused"
            except (socket.timeout, TimeoutError):
                entry["result"] = "timeout"
            except (OSError, smtplib.SMTPException) as e:
                entry["result"] = "error"
                entry["detail"] = "%s: %s" % (type(e).__name__, e)
            entry["end"] = time.time()
            counts[entry["result"]] += 1
            log.write(json.dumps(entry) + "\n")
            if entry["result"] == "refused":
                refused_since = refused_since or start
                if entry["end"] - refused_since >= args.give_up_after:
                    break
                time.sleep(0.1)  # a bot retries, but a tight loop would only measure the CPU
            else:
                refused_since = None
    print("spambot %s: %d sessions in %.1f s: %s" % (
        args.source, sum(counts.values()), time.time() - began,
        ", ".join("%d %s" % (v, k) for k, v in counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
