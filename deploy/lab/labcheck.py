#!/usr/bin/python3
"""Reads what the egress25 lab produced (decision log, spambot log) for deploy/lab.sh's checks.

    labcheck.py await-decision FILE HOST ACTION TIMEOUT [AFTER_EPOCH]
        waits for the first decision on HOST with ACTION (block, unblock, alert) made at or after
        AFTER_EPOCH; prints "EPOCH_TIME EPOCH_EXPIRES RULE STRIKES SOURCE" (expires 0 when null) and
        the reason on a second line. Exit 1 on timeout.
    labcheck.py no-decision FILE ACTION HOST...
        exit 1 (printing the lines) if any decision with ACTION names one of the hosts.
    labcheck.py cutoff LOG DECISION_EPOCH GRACE
        the spambot's attempts against the decision time: every attempt started more than GRACE seconds
        after the decision must have been refused, and there must be some. Prints the figures.
    labcheck.py reason FILE HOST ACTION TEXT
        exit 0 if a decision on HOST with ACTION has TEXT in its reason.
"""

import datetime
import json
import sys
import time


def epoch(iso):
    if iso is None:
        return 0.0
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def decisions(path):
    try:
        with open(path) as f:
            lines = f.readlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            pass  # a line being written right now
    return out


def await_decision(path, host, action, timeout, after=0.0):
    deadline = time.time() + float(timeout)
    while True:
        for d in decisions(path):
            if d.get("host") == host and d.get("action") == action and epoch(d.get("time")) >= float(after) - 0.5:
                print("%.3f %.3f %s %s %s" % (epoch(d["time"]), epoch(d.get("expires")), d.get("rule"),
                                              d.get("strikes", 0), d.get("source", "-")))
                print(d.get("reason", ""))
                return 0
        if time.time() > deadline:
            return 1
        time.sleep(0.1)


def no_decision(path, action, *hosts):
    bad = [d for d in decisions(path) if d.get("action") == action and d.get("host") in hosts]
    for d in bad:
        print(json.dumps(d))
    return 1 if bad else 0


def cutoff(log, decided, grace):
    decided = float(decided)
    grace = float(grace)
    attempts = []
    with open(log) as f:
        for line in f:
            if line.strip():
                attempts.append(json.loads(line))
    before = [a for a in attempts if a["start"] < decided]
    late = [a for a in attempts if a["start"] > decided + grace]
    refused = [a for a in attempts if a["start"] >= decided and a["result"] == "refused"]
    delivered_after = [a for a in attempts if a["start"] >= decided and a["result"] == "delivered"]
    first_refused = min((a["start"] for a in refused), default=None)
    last_delivered = max((a["start"] for a in delivered_after), default=None)
    print("%d attempts, %d delivered before the decision; first refused connection %s after it; "
          "last delivery started %s after it; %d of %d attempts later than %.0f s after it refused" % (
              len(attempts), sum(1 for a in before if a["result"] == "delivered"),
              "%.2f s" % (first_refused - decided) if first_refused else "never",
              "%.2f s" % (last_delivered - decided) if last_delivered else "never (0 s)",
              sum(1 for a in late if a["result"] == "refused"), len(late), grace))
    if not late or any(a["result"] != "refused" for a in late):
        return 1
    return 0


def reason(path, host, action, text):
    for d in decisions(path):
        if d.get("host") == host and d.get("action") == action and text in d.get("reason", ""):
            return 0
    return 1


def main(argv):
    commands = {"await-decision": await_decision, "no-decision": no_decision, "cutoff": cutoff,
                "reason": reason}
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
