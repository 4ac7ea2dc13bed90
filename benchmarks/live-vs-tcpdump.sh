#!/usr/bin/env bash
# Live capture against tcpdump on the same veth, from the same push of packets, at fixed rates.
#
#   sudo bash benchmarks/live-vs-tcpdump.sh [CAPTURE] [PACKETS]
#
# Two network namespaces joined by a veth pair (made and removed here); tcpreplay (Debian's) pushes the mixed
# benchmark capture (about 30% on SMTP ports, the rest web and DNS; written by org.egress25.synth.BenchmarkCapture
# if missing) into one end at each rate, and on the other end first `egress25 run -i` (through the shipped
# launcher) and then `tcpdump -i ... -w /dev/null`, with the same BPF filter (SMTP ports, also under VLAN tags),
# snap length (2048) and kernel buffer (32 MiB). For each rate and reader it reports:
#   sent      packets tcpreplay put on the wire, and how many of them match the filter (counted from the file)
#   received  packets the reader got: egress25_packets_captured_total, tcpdump's "captured"
#   of sent   received / SMTP-port packets sent: what no pcap counter shows (a veth drops before any socket)
#   kernel    ps_drop + ps_ifdrop (egress25_pcap_dropped_total + _interface_dropped_total; tcpdump's
#             "dropped by kernel" + "dropped by interface")
#   veth      packets the receiving veth and the kernel's backlog dropped during the run (rx_dropped of the
#             interface, and /proc/net/softnet_stat's drop column, which is for the whole machine)
#   ring      egress25_ring_publish_failures_total (a full ring drops and counts)
#   decisions lines egress25 wrote to its decision log
# Environment: RATES (default "100000 300000 1000000 topspeed", packets/s), LIMIT (push only the first LIMIT
# packets), EGRESS25_JAR, JAVA_OPTS (as for the launcher), LIVE_DIR (logs and decisions; default a new
# temporary directory).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${EGRESS25_JAR:-$root/target/egress25.jar}"
packets="${2:-1500000}"
capture="${1:-/tmp/egress25-live-$packets.pcap}"
rates=(${RATES:-100000 300000 1000000 topspeed})
out="${LIVE_DIR:-$(mktemp -d /tmp/egress25-live.XXXXXX)}"
mkdir -p "$out"
ns_tx="e25live-tx-$$"
ns_rx="e25live-rx-$$"
metrics_port=9390 # inside our own namespace, so no other process can hold it
filter='(tcp and (port 25 or port 465 or port 587 or port 2525)) or (vlan and tcp and (port 25 or port 465 or port 587 or port 2525))'

die() { echo "live-vs-tcpdump: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (network namespaces, packet capture)"
for tool in ip tcpreplay tcpdump python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install iproute2 tcpreplay tcpdump python3)"
done
[[ -f "$jar" ]] || die "$jar is missing; build it first with: bash deploy/setup.sh"
source "$root/deploy/jdk.sh"
java="$(find_java_home java)/bin/java" || die "$(java_missing_message)"

if [[ ! -s "$capture" ]]; then
  echo "writing $packets packets to $capture ..."
  "$java" -cp "$jar" org.egress25.synth.BenchmarkCapture "$capture" "$packets" || die "could not write the capture"
fi
limit="${LIMIT:-0}" # push only the first LIMIT packets (0: all)
first() { if ((limit > 0)); then tcpdump -r "$capture" -c "$limit" -w - 2>/dev/null; else cat "$capture"; fi; }
total=$(first | tcpdump -nn -r - 2>/dev/null | wc -l)
smtp=$(first | tcpdump -nn -r - "$filter" 2>/dev/null | wc -l)
echo "capture: $capture, $total packets, $smtp on SMTP ports ($((100 * smtp / total))%); logs in $out"

cleanup() {
  [[ -n "${reader:-}" ]] && kill "$reader" 2>/dev/null && wait "$reader" 2>/dev/null
  ip netns del "$ns_tx" 2>/dev/null || true
  ip netns del "$ns_rx" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$ns_tx"
ip netns add "$ns_rx"
ip link add e25tx netns "$ns_tx" type veth peer name e25rx netns "$ns_rx"
# the generator writes frames up to 9000 bytes (jumbo DATA segments); a 1500-byte MTU would refuse them at send
ip -n "$ns_tx" link set e25tx mtu 9000 up
ip -n "$ns_rx" link set e25rx mtu 9000 up
ip -n "$ns_rx" link set lo up

# rx_dropped of the receiving veth, and the machine's softnet backlog drops (second column, hex, per CPU)
veth_drops() {
  local rx soft=0 line
  rx=$(ip netns exec "$ns_rx" cat /sys/class/net/e25rx/statistics/rx_dropped)
  while read -r line; do
    set -- $line
    soft=$((soft + 16#$2))
  done < /proc/net/softnet_stat
  echo $((rx + soft))
}

# push RATE: tcpreplay the capture at RATE packets/s (or topspeed); sets sent
push() {
  # --pps-multi: above ~10 k/s one timer wait per packet is more than tcpreplay's own loop can keep up with
  local speed=(--topspeed)
  [[ "$1" == topspeed ]] || speed=(--pps="$1" --pps-multi=$(( $1 >= 100000 ? 100 : 1 )))
  ((limit > 0)) && speed+=(--limit="$limit")
  ip netns exec "$ns_tx" tcpreplay -q -K "${speed[@]}" -i e25tx "$capture" > "$out/tcpreplay-$1-$2.txt" 2>&1 \
    || die "tcpreplay failed: $(tail -3 "$out/tcpreplay-$1-$2.txt")"
  sent=$(sed -n 's/.*Successful packets: *\([0-9]*\).*/\1/p' "$out/tcpreplay-$1-$2.txt")
  pushed_pps=$(sed -n 's/.*Rated: .*Bps, *[0-9.]* Mbps, *\([0-9.]*\) pps.*/\1/p' "$out/tcpreplay-$1-$2.txt" | head -1)
}

metric() { awk -v m="$1" '$1 == m { printf "%d", $2 }' "$2"; }

# await FILE TEXT: until FILE holds TEXT (30 s at most)
await() {
  for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  die "timed out waiting for '$2' in $1"
}

# measure RATE READER LOG READY: once READER has written READY to LOG, push at RATE; sets sent and drops
measure() {
  local before
  await "$3" "$4"
  sleep 1
  before=$(veth_drops)
  push "$1" "$2"
  sleep 2 # let the ring drain and the once-a-second pcap counters catch up
  drops=$(( $(veth_drops) - before ))
}

rows=()
for rate in "${rates[@]}"; do
  # egress25 first
  decisions="$out/decisions-$rate.jsonl"
  rm -rf "$out/state-$rate"
  ip netns exec "$ns_rx" env EGRESS25_JAR="$jar" bash "$root/deploy/egress25" run -i e25rx \
    --inside 10.0.0.0/8 --inside 100.64.0.0/10 --inside 2001:db8::/32 --decisions "$decisions" \
    --state-dir "$out/state-$rate" --metrics-port "$metrics_port" --control-socket "$out/control-$rate.sock" \
    > "$out/egress25-$rate.log" 2>&1 &
  reader=$!
  measure "$rate" egress25 "$out/egress25-$rate.log" "running on e25rx"
  ip netns exec "$ns_rx" python3 -c "import urllib.request; print(urllib.request.urlopen(
    'http://127.0.0.1:$metrics_port/metrics').read().decode())" > "$out/metrics-$rate.txt"
  kill -TERM "$reader"; wait "$reader" || true; reader=
  m="$out/metrics-$rate.txt"
  received=$(metric egress25_packets_captured_total "$m")
  kernel=$(( $(metric egress25_pcap_dropped_total "$m") + $(metric egress25_pcap_interface_dropped_total "$m") ))
  ring=$(metric egress25_ring_publish_failures_total "$m")
  lines=$(wc -l < "$decisions" 2>/dev/null || echo 0)
  egress25_received=$received
  rows+=("$(printf '%-9s %-9s %10s %9s %10s %7.1f%% %8s %8s %6s %9s' "$rate" egress25 "$sent" "${pushed_pps%.*}" \
    "$received" "$(awk -v r="$received" -v s="$smtp" 'BEGIN { print 100 * r / s }')" "$kernel" "$drops" "$ring" "$lines")")
  echo "${rows[-1]}"

  # then tcpdump, on the same end with the same filter, snap length and buffer
  ip netns exec "$ns_rx" tcpdump -i e25rx -p -nn -s 2048 -B 32768 -w /dev/null "$filter" \
    > "$out/tcpdump-$rate.log" 2>&1 &
  reader=$!
  measure "$rate" tcpdump "$out/tcpdump-$rate.log" "listening on"
  kill -INT "$reader"; wait "$reader" || true; reader=
  t="$out/tcpdump-$rate.log"
  received=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$t")
  kernel=$(( $(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$t") \
    + $(sed -n 's/^\([0-9]*\) packets dropped by interface.*/\1/p' "$t" | grep . || echo 0) ))
  rows+=("$(printf '%-9s %-9s %10s %9s %10s %7.1f%% %8s %8s %6s %9s' "$rate" tcpdump "$sent" "${pushed_pps%.*}" \
    "$received" "$(awk -v r="$received" -v s="$smtp" 'BEGIN { print 100 * r / s }')" "$kernel" "$drops" - -)")
  echo "${rows[-1]}"
  rows+=("$(printf '%-9s egress25 received %.1f%% of what tcpdump received' "$rate" \
    "$(awk -v e="$egress25_received" -v t="$received" 'BEGIN { print t ? 100 * e / t : 0 }')")")
  echo "${rows[-1]}"
done

echo
echo "SMTP-port packets in each push: $smtp of $total"
printf '%-9s %-9s %10s %9s %10s %8s %8s %8s %6s %9s\n' rate reader sent "sent pps" received "of sent" kernel veth ring decisions
printf '%s\n' "${rows[@]}"
