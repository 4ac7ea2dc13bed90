#!/usr/bin/env bash
# Replay throughput of egress25 against tcpdump reading the same capture from the page cache.
#
#   benchmarks/replay-vs-tcpdump.sh [CAPTURE.pcap] [PACKETS]
#
# With no capture given (or a path that does not exist yet) it writes the mixed benchmark capture first:
# PACKETS packets (default 4,000,000: ~2.3 GB, mean ~560 B, ~30% on SMTP ports, 40 mass-senders) via
# org.egress25.synth.BenchmarkCapture, into /tmp unless a path is given. Then it reads the file once to warm
# the page cache and times, best of 3 runs each (wall time from `date +%s%N`):
#
#   tcpdump -r FILE -w /dev/null
#   deploy/egress25 replay FILE --inside 10.0.0.0/8 --inside 100.64.0.0/10 \
#        --inside 2001:db8::/32 --decisions /dev/null
#   the same with --no-dialogue (rate analysis only), to show what SMTP dialogue analysis costs
#
# and prints packets/s of each, egress25 against tcpdump, and egress25 against its rate-only self.
# deploy/egress25 is the shipped launcher (java -XX:+UseSerialGC -XX:FreqInlineSize=100 -jar ...); JAVA_OPTS
# replaces its JVM flags, e.g. JAVA_OPTS=-XX:+UseG1GC to compare collectors. Run from anywhere; paths are
# relative to the repository root. The machine is noisy (±15% between runs here): compare medians of many
# interleaved runs before believing a difference of a few percent.
# Build the jar first: mvn -q -B -o package -DskipTests
# Environment: RUNS (default 3), JAVA_OPTS (extra JVM flags for the replay run).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/egress25.jar"
capture="${1:-/tmp/egress25-bench-${2:-4000000}.pcap}"
packets="${2:-4000000}"
runs="${RUNS:-3}"

die() { echo "replay-vs-tcpdump: $*" >&2; exit 1; }

[[ -f "$jar" ]] || die "$jar is missing; build it first with: (cd $root && mvn -q -B -o package -DskipTests)"
command -v tcpdump >/dev/null || die "tcpdump is not installed (apt-get install tcpdump)"
command -v java >/dev/null || die "java is not on PATH"
[[ "$packets" =~ ^[0-9]+$ && "$packets" -gt 0 ]] || die "PACKETS must be a positive whole number, not '$packets'"

if [[ ! -s "$capture" ]]; then
    echo "writing $packets packets to $capture ..."
    java -cp "$jar" org.egress25.synth.BenchmarkCapture "$capture" "$packets" \
        || die "could not write the capture (is org.egress25.synth in $jar?)"
fi

# The number of packets actually in the file (a given capture may hold any number).
if command -v capinfos >/dev/null; then
    count="$(capinfos -M -c -T -r "$capture" 2>/dev/null | awk -F'\t' 'NF > 1 { print $2 }')"
else
    count="$(tcpdump -nr "$capture" 2>/dev/null | wc -l)"
fi
[[ "$count" -gt 0 ]] || die "$capture holds no packets tcpdump can read"
size="$(stat -c %s "$capture")"
echo "capture: $capture, $count packets, $((size / 1048576)) MiB"

echo "warming the page cache ..."
cat "$capture" > /dev/null

seconds() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }

# best_of NAME COMMAND...: runs the command RUNS times, prints each wall time, leaves the best in $best_ns
# and the median in $median_ns.
best_of() {
    local name="$1"; shift
    local all=()
    best_ns=""
    for ((i = 1; i <= runs; i++)); do
        local start end elapsed
        start="$(date +%s%N)"
        if ! "$@" > /dev/null 2> "/tmp/replay-vs-tcpdump.$name.err"; then
            echo "  $name run $i failed:" >&2
            tail -5 "/tmp/replay-vs-tcpdump.$name.err" >&2
            if [[ "$name" == egress25 ]] && grep -qiE "main class|unmatched argument|unknown (sub)?command" \
                "/tmp/replay-vs-tcpdump.$name.err"; then
                die "$jar has no working 'replay' command yet; rebuild it from a tree that has one"
            fi
            die "$name failed; see /tmp/replay-vs-tcpdump.$name.err"
        fi
        end="$(date +%s%N)"
        elapsed=$((end - start))
        printf '  %-9s run %d: %7.3f s\n' "$name" "$i" "$(seconds "$elapsed")"
        all+=("$elapsed")
        if [[ -z "$best_ns" || "$elapsed" -lt "$best_ns" ]]; then best_ns="$elapsed"; fi
    done
    median_ns="$(printf '%s\n' "${all[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')"
}

rate() { awk -v n="$count" -v ns="$1" 'BEGIN { printf "%d", n * 1e9 / ns }'; }

best_of tcpdump tcpdump -r "$capture" -w /dev/null
tcpdump_ns="$best_ns"
# shellcheck disable=SC2086
best_of egress25 env EGRESS25_JAR="$jar" "$root/deploy/egress25" replay "$capture" \
    --inside 10.0.0.0/8 --inside 100.64.0.0/10 --inside 2001:db8::/32 --decisions /dev/null
replay_ns="$best_ns"
replay_median_ns="$median_ns"
best_of rate-only env EGRESS25_JAR="$jar" "$root/deploy/egress25" replay "$capture" \
    --inside 10.0.0.0/8 --inside 100.64.0.0/10 --inside 2001:db8::/32 --decisions /dev/null --no-dialogue
rate_only_ns="$best_ns"
rate_only_median_ns="$median_ns"

tcpdump_rate="$(rate "$tcpdump_ns")"
replay_rate="$(rate "$replay_ns")"
printf '\n%-10s %14s %12s\n' "reader" "packets/s" "best s"
printf '%-10s %14s %12s\n' "tcpdump" "$tcpdump_rate" "$(seconds "$tcpdump_ns")"
printf '%-10s %14s %12s\n' "egress25" "$replay_rate" "$(seconds "$replay_ns")"
printf '%-10s %14s %12s\n' "rate-only" "$(rate "$rate_only_ns")" "$(seconds "$rate_only_ns")"
awk -v a="$replay_rate" -v b="$tcpdump_rate" 'BEGIN { printf "egress25 / tcpdump = %.2f\n", a / b }'
awk -v a="$replay_ns" -v b="$rate_only_ns" -v am="$replay_median_ns" -v bm="$rate_only_median_ns" \
    'BEGIN { printf "SMTP dialogue analysis adds %.0f%% to the replay, best against best (%.0f%% median against median)\n", (a / b - 1) * 100, (am / bm - 1) * 100 }'
