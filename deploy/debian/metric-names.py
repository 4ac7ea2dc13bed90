#!/usr/bin/python3
"""Prints each metric that a dashboard or rule file names but a running egress25 does not export.

    metric-names.py METRICS_URL FILE...

The names are taken from every PromQL expression in the files: "expr" of a Grafana dashboard's targets and
templating queries, "expr" of Prometheus rules. Exported means declared on the scrape (a # TYPE line,
so a counter that has not counted yet still counts) or present as a sample (histogram _bucket, _sum,
_count included). Prints nothing and exits 0 when every name is exported; deploy/debian/test-package.sh
runs it against the installed service.
"""

import json
import re
import sys
import urllib.request

NAME = re.compile(r"\b((?:egress25|jvm|process)_[a-zA-Z0-9_]*[a-zA-Z0-9])\b")


def exported(url):
    names = set()
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split(" ", 3)
            names.add(family)
            if kind == "counter":
                names.add(family + "_total")
            if kind in ("histogram", "summary"):
                names.update(family + suffix for suffix in ("_bucket", "_sum", "_count"))
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def expressions(path):
    with open(path) as f:
        text = f.read()
    if path.endswith(".json"):
        found = []

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("expr", "definition") and isinstance(value, str):
                        found.append(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(json.loads(text))
        return found
    # a rule file: each expr: value, on one line or as a block scalar below it
    found = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\s*)expr:\s*(.*)$", line)
        if not m:
            continue
        if m.group(2) not in ("|", ">", "|-", ">-"):
            found.append(m.group(2))
            continue
        indent = len(m.group(1))
        block = []
        for following in lines[i + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            block.append(following)
        found.append("\n".join(block))
    return found


def main(argv):
    have = exported(argv[1])
    missing = []
    for path in argv[2:]:
        exprs = expressions(path)
        if not exprs:
            missing.append("%s: no expressions found" % path)
        for expr in exprs:
            for name in NAME.findall(expr):
                if name not in have and "%s: %s" % (path, name) not in missing:
                    missing.append("%s: %s" % (path, name))
    for line in missing:
        print(line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
