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
# and prints packets/s of each, egress25 against tcpdump, and egress25 against its rate-only self. The two
# egress25 runs alternate (this VM drifts over minutes), and for each the CPU time of its threads is read
# from /proc (every 50 ms; a thread's last few milliseconds can be missed) and summed by role: analysis,
# capture, JIT compilers, main (start-up, rule loading, the report) and the rest (decisions, GC, ...). The
# medians of those show where dialogue analysis spends its cost: on two cores, every thread competes.
# deploy/egress25 is the shipped launcher (java -XX:+UseSerialGC -XX:FreqInlineSize=100 -jar ...); JAVA_OPTS
# replaces its JVM flags, e.g. JAVA_OPTS=-XX:+UseG1GC to compare collectors. Run from anywhere; paths are
# relative to the repository root. The machine is noisy (±15% between runs here): compare medians of many
# interleaved runs before believing a difference of a few percent.
# Build the jar first: mvn -q -B -o package -DskipTests
# Environment: RUNS (default 3), JAVA_OPTS (the egress25 runs' JVM flags, in place of the launcher's).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/target/egress25.jar"
capture="${1:-/tmp/egress25-bench-${2:-4000000}.pcap}"
packets="${2:-4000000}"
runs="${RUNS:-3}"

die() { echo "replay-vs-tcpdump: $*" >&2; exit 1; }

[[ -f "$jar" ]] || die "$jar is missing; build it first with: (cd $root && mvn -q -B -o package -DskipTests)"
command -v tcpdump >/dev/null || die "tcpdump is not installed (apt-get install tcpdump)"
source "$root/deploy/jdk.sh"
java="$(find_java_home java)/bin/java" || die "$(java_missing_message)"
[[ "$packets" =~ ^[0-9]+$ && "$packets" -gt 0 ]] || die "PACKETS must be a positive whole number, not '$packets'"

if [[ ! -s "$capture" ]]; then
    echo "writing $packets packets to $capture ..."
    "$java" -cp "$jar" org.egress25.synth.BenchmarkCapture "$capture" "$packets" \
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

# best_of NAME COMMAND...: runs the command RUNS times, prints each wall time, leaves the best in $best_ns.
best_of() {
    local name="$1"; shift
    local all=()
    for ((i = 1; i <= runs; i++)); do
        timed "$name" "$i" "$@"
        all+=("$elapsed")
    done
    best_ns="$(least "${all[@]}")"
}

least() { printf '%s\n' "$@" | sort -n | head -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# timed NAME RUN COMMAND...: one run; wall time in $elapsed (ns), and when the command is a JVM, the CPU
# milliseconds of its threads by role in $cpu ("analysis capture jit main other").
timed() {
    local name="$1" run="$2"; shift 2
    local start end pid tick
    tick="$(getconf CLK_TCK)"
    declare -A ticks=() role=()
    start="$(date +%s%N)"
    "$@" > /dev/null 2> "/tmp/replay-vs-tcpdump.$name.err" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        local t stat comm tid
        for t in /proc/"$pid"/task/*; do
            tid="${t##*/}"
            read -r stat 2>/dev/null < "$t/stat" || continue
            read -r comm 2>/dev/null < "$t/comm" || continue
            # fields after the ") " that closes the name: 12th and 13th are utime and stime
            set -- ${stat##*) }
            ticks[$tid]=$(( ${12} + ${13} ))
            case "$comm" in
                egress25-analys*) role[$tid]=analysis ;;
                egress25-captur*) role[$tid]=capture ;;
                C1\ Compiler*|C2\ Compiler*) role[$tid]=jit ;;
                java) role[$tid]=main ;;
                *) role[$tid]=other ;;
            esac
        done
        sleep 0.05
    done
    if ! wait "$pid"; then
        echo "  $name run $run failed:" >&2
        tail -5 "/tmp/replay-vs-tcpdump.$name.err" >&2
        if [[ "$name" != tcpdump ]] && grep -qiE "main class|unmatched argument|unknown (sub)?command" \
            "/tmp/replay-vs-tcpdump.$name.err"; then
            die "$jar has no working 'replay' command yet; rebuild it from a tree that has one"
        fi
        die "$name failed; see /tmp/replay-vs-tcpdump.$name.err"
    fi
    end="$(date +%s%N)"
    elapsed=$((end - start))
    declare -A sum=([analysis]=0 [capture]=0 [jit]=0 [main]=0 [other]=0)
    local k
    for k in "${!ticks[@]}"; do sum[${role[$k]}]=$(( sum[${role[$k]}] + ticks[$k] * 1000 / tick )); done
    cpu="${sum[analysis]} ${sum[capture]} ${sum[jit]} ${sum[main]} ${sum[other]}"
    if [[ "$name" == tcpdump ]]; then
        printf '  %-9s run %d: %7.3f s\n' "$name" "$run" "$(seconds "$elapsed")"
    else
        printf '  %-9s run %d: %7.3f s   CPU ms: analysis %5d capture %5d jit %5d main %5d other %5d\n' \
            "$name" "$run" "$(seconds "$elapsed")" ${cpu}
    fi
}

rate() { awk -v n="$count" -v ns="$1" 'BEGIN { printf "%d", n * 1e9 / ns }'; }

best_of tcpdump tcpdump -r "$capture" -w /dev/null
tcpdump_ns="$best_ns"
# The two egress25 variants alternate, so a slow minute of the VM does not land on one of them only.
replay_all=(); rate_only_all=(); replay_cpu=(); rate_only_cpu=()
for ((r = 1; r <= runs; r++)); do
    timed egress25 "$r" env EGRESS25_JAR="$jar" "$root/deploy/egress25" replay "$capture" \
        --inside 10.0.0.0/8 --inside 100.64.0.0/10 --inside 2001:db8::/32 --decisions /dev/null
    replay_all+=("$elapsed"); replay_cpu+=("$cpu")
    timed rate-only "$r" env EGRESS25_JAR="$jar" "$root/deploy/egress25" replay "$capture" \
        --inside 10.0.0.0/8 --inside 100.64.0.0/10 --inside 2001:db8::/32 --decisions /dev/null --no-dialogue
    rate_only_all+=("$elapsed"); rate_only_cpu+=("$cpu")
done
replay_ns="$(least "${replay_all[@]}")"
replay_median_ns="$(median "${replay_all[@]}")"
rate_only_ns="$(least "${rate_only_all[@]}")"
rate_only_median_ns="$(median "${rate_only_all[@]}")"

# cpu_medians ROWS...: the median of each of the five role columns
cpu_medians() {
    local col out=""
    for col in 1 2 3 4 5; do
        out+="$(median $(printf '%s\n' "$@" | awk -v c="$col" '{ print $c }')) "
    done
    echo "$out"
}

tcpdump_rate="$(rate "$tcpdump_ns")"
replay_rate="$(rate "$replay_ns")"
printf '\n%-10s %14s %12s\n' "reader" "packets/s" "best s"
printf '%-10s %14s %12s\n' "tcpdump" "$tcpdump_rate" "$(seconds "$tcpdump_ns")"
printf '%-10s %14s %12s\n' "egress25" "$replay_rate" "$(seconds "$replay_ns")"
printf '%-10s %14s %12s\n' "rate-only" "$(rate "$rate_only_ns")" "$(seconds "$rate_only_ns")"
awk -v a="$replay_rate" -v b="$tcpdump_rate" 'BEGIN { printf "egress25 / tcpdump = %.2f\n", a / b }'
awk -v a="$replay_ns" -v b="$rate_only_ns" -v am="$replay_median_ns" -v bm="$rate_only_median_ns" \
    'BEGIN { printf "SMTP dialogue analysis adds %.0f%% to the replay, best against best (%.0f%% median against median)\n", (a / b - 1) * 100, (am / bm - 1) * 100 }'
read -r -a on <<< "$(cpu_medians "${replay_cpu[@]}")"
read -r -a off <<< "$(cpu_medians "${rate_only_cpu[@]}")"
printf '\nCPU ms by thread role, median of %d runs  analysis  capture      jit     main    other\n' "$runs"
printf '  %-36s %8d %8d %8d %8d %8d\n' "egress25" "${on[@]}"
printf '  %-36s %8d %8d %8d %8d %8d\n' "rate-only (--no-dialogue)" "${off[@]}"
printf '  %-36s %+8d %+8d %+8d %+8d %+8d\n' "difference" $((on[0] - off[0])) $((on[1] - off[1])) \
    $((on[2] - off[2])) $((on[3] - off[3])) $((on[4] - off[4]))
