#!/usr/bin/env bash
# Writes the AOT cache the launcher uses (target/egress25.aot, or beside EGRESS25_JAR) from one training replay
# of the bundled demo capture through deploy/egress25 itself, so the cache is made by the JVM, jar and flags
# that later start egress25. Takes about 5 s of CPU; the training's own messages go to the .aot.log beside it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar=$(readlink -f "${EGRESS25_JAR:-$here/../target/egress25.jar}")
log=${jar%.jar}.aot.log
if EGRESS25_AOT_TRAIN=1 EGRESS25_JAR="$jar" "$here/egress25" replay "$here/demo/demo.pcap.gz" \
  --rules "$here/demo/rules" --decisions /dev/null --quiet > "$log" 2>&1; then
  echo "aot-cache: wrote ${jar%.jar}.aot ($(du -h "${jar%.jar}.aot" | cut -f1))" >&2
else
  echo "aot-cache: the training replay failed (see $log); egress25 runs without an AOT cache" >&2
fi
