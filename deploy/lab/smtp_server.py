#!/usr/bin/python3
"""A real SMTP server for the egress25 lab and live tests (Debian's python3-aiosmtpd).

Listens on PORT on every ADDRESS given (one asyncio loop, one listening socket per address, so each
address is a separate "mail exchanger" as a spambot's MX list would be). It accepts every message and
prints one line per message delivered, which the lab script greps to confirm delivery:

    delivered client=10.99.0.10 server=198.18.0.200:587 mail_from=a@b rcpt_to=c@d bytes=312

With --reject-blocklist ADDRESS (repeatable) the server on ADDRESS refuses every RCPT TO the way Postfix
does when the client is listed on Spamhaus ZEN, naming the client's own address:

    554 5.7.1 Service unavailable; Client host [10.99.0.66] blocked using zen.spamhaus.org; ...

When every socket is bound it prints "listening on N addresses port P" and flushes, so a script can wait
for that line. Run it with /usr/bin/python3 (Debian's interpreter, which has aiosmtpd), not a pyenv one.
"""

import argparse
import asyncio
import ipaddress
import signal
import sys

from aiosmtpd.smtp import SMTP


def expand(spec):
    """'198.18.0.1-30' -> 198.18.0.1 .. 198.18.0.30; a plain address is itself."""
    if "-" not in spec:
        return [str(ipaddress.ip_address(spec))]
    first, last = spec.rsplit("-", 1)
    start = ipaddress.ip_address(first)
    prefix = first.rsplit(".", 1)[0]
    end = ipaddress.ip_address(prefix + "." + last)
    return [str(ipaddress.ip_address(n)) for n in range(int(start), int(end) + 1)]


class LabHandler:
    """One per listening address, so it knows which "server" a client reached."""

    def __init__(self, address, port, reject):
        self.address = address
        self.port = port
        self.reject = reject

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject:
            client = session.peer[0]
            return ("554 5.7.1 Service unavailable; Client host [%s] blocked using zen.spamhaus.org;"
                    " https://www.spamhaus.org/query/ip/%s" % (client, client))
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        print("delivered client=%s server=%s:%d mail_from=%s rcpt_to=%s bytes=%d" % (
            session.peer[0], self.address, self.port, envelope.mail_from, ",".join(envelope.rcpt_tos),
            len(envelope.content or b"")), flush=True)
        return "250 2.0.0 Ok: queued"


async def serve(addresses, port, rejecting):
    loop = asyncio.get_running_loop()
    servers = []
    for address in addresses:
        handler = LabHandler(address, port, address in rejecting)
        name = "mx-%s.lab.example" % address.replace(".", "-").replace(":", "-")
        servers.append(await loop.create_server(
            lambda h=handler, n=name: SMTP(h, hostname=n, ident="egress25 lab ESMTP"),
            host=address, port=port, reuse_address=True, backlog=256))
    print("listening on %d addresses port %d" % (len(addresses), port), flush=True)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    await stop
    for s in servers:
        s.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=25)
    parser.add_argument("--reject-blocklist", action="append", default=[], metavar="ADDRESS",
                        help="refuse RCPT on this address with a Spamhaus-style 554 naming the client")
    parser.add_argument("addresses", nargs="+", metavar="ADDRESS",
                        help="address to listen on, or a last-octet range such as 198.18.0.1-30")
    args = parser.parse_args()
    addresses = [a for spec in args.addresses for a in expand(spec)]
    rejecting = set(a for spec in args.reject_blocklist for a in expand(spec))
    unknown = rejecting - set(addresses)
    if unknown:
        parser.error("--reject-blocklist names addresses not listened on: " + ", ".join(sorted(unknown)))
    try:
        asyncio.run(serve(addresses, args.port, rejecting))
    except OSError as e:
        print("smtp_server: cannot listen: %s" % e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
