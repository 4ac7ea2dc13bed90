#!/usr/bin/env bash
# egress25 live lab: a real spambot behind a real gateway, cut off from port 25 by egress25 and nftables.
#
#   sudo deploy/lab.sh up      build the lab and run it until Ctrl-C (try the commands it prints)
#   sudo deploy/lab.sh demo    build it, check detection, cut-off, everyone else unaffected, 587 open,
#                              expiry, block/unblock; PASS/FAIL per check; non-zero exit on any FAIL
#   sudo deploy/lab.sh down    remove a lab left behind by a run that was killed with SIGKILL
#
# Topology (network namespaces joined by veth pairs; every address lives only inside them):
#
#   e25lab-sub                        e25lab-gw                              e25lab-net
#   spambot   10.99.0.66  \           10.99.0.1 [gw-sub]  ip_forward=1       [net-gw] 10.98.0.2
#   clean     10.99.0.10   >-[sub-gw]-     egress25 run -i gw-sub   [gw-net]-   198.18.0.1-30 :25 on lo
#   business  10.99.0.25  /           nftables table inet egress25 10.98.0.1     198.18.0.200 :587 on lo
#
# The servers are Debian's python3-aiosmtpd (deploy/lab/smtp_server.py); the spambot is a small real
# mass-mailer (deploy/lab/spambot.py), the other clients are swaks. The rules are deploy/lab/rules/:
# 5-second detector windows and a 20 s / 40 s block ladder so a demo shows detection, expiry and unblock
# in about a minute. Needs root, iproute2, nftables, swaks, python3-aiosmtpd (deploy/setup.sh installs
# them) and target/egress25.jar (mvn package).
#
# Environment: EGRESS25_JAR (default target/egress25.jar), JAVA (default the Java 25 of deploy/jdk.sh), LAB_DIR (where logs,
# decisions and the block journal go; default a new temporary directory, kept when a check fails),
# EGRESS25_LAB (namespace prefix, default e25lab).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LABDIR=$ROOT/deploy/lab
LAB=${EGRESS25_LAB:-e25lab}
NS_SUB=$LAB-sub
NS_GW=$LAB-gw
NS_NET=$LAB-net
JAR=${EGRESS25_JAR:-$ROOT/target/egress25.jar}
source "$ROOT/deploy/jdk.sh"
JAVA=${JAVA:-$(find_java_home java)/bin/java}
PY=/usr/bin/python3 # Debian's, which has aiosmtpd; a pyenv python3 on the PATH does not
METRICS_PORT=9325

INSIDE=10.99.0.0/24
GW_INSIDE=10.99.0.1
SPAMBOT=10.99.0.66
CLEAN=10.99.0.10
BUSINESS=10.99.0.25
MX_RANGE=198.18.0.1-30 # thirty mail exchangers on port 25
MX_FIRST=198.18.0.1
SUBMISSION=198.18.0.200 # the subscribers' provider's submission server, port 587

PIDS=()
MADE_NS=()
PASSED=0
FAILED=0
WORK=
OWN_WORK=0
EGRESS_PID=

# calc FORMAT EXPRESSION: floating-point arithmetic (max(x) clamps at zero).
calc() { awk "function max(x) { return x < 0 ? 0 : x } BEGIN { printf \"$1\", $2 }"; }

log() { printf '%s lab: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

cleanup()
{
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    local ns
    for ns in "${MADE_NS[@]}"; do
        # anything still running inside the lab's own namespaces was started by this script
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    if ((${#MADE_NS[@]})); then log "removed namespaces ${MADE_NS[*]}"; fi
    if [[ -n $WORK ]]; then
        if ((OWN_WORK)) && ((rc == 0)); then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
    fi
    exit "$rc"
}

need()
{
    [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, nftables)"
    local c
    for c in ip nft swaks "$PY" "$JAVA"; do
        command -v "$c" >/dev/null 2>&1 || die "$c is missing: run deploy/setup.sh"
    done
    "$PY" -c 'import aiosmtpd' 2>/dev/null || die "python3-aiosmtpd is missing: run deploy/setup.sh"
    [[ -f $JAR ]] || die "$JAR is missing: build it with mvn -B -DskipTests package"
    local ns
    for ns in "$NS_SUB" "$NS_GW" "$NS_NET"; do
        if ip netns list | grep -qw "^$ns"; then die "namespace $ns exists already: run $0 down first"; fi
    done
}

# Foreground only: a function put in the background runs in a subshell, so $! would not be the process
# itself; background processes are started with `ip netns exec` directly (it execs, keeping the pid).
netns() { ip netns exec "$1" "${@:2}"; }

make_ns()
{
    ip netns add "$1"
    MADE_NS+=("$1")
    netns "$1" ip link set lo up
}

veth()
{
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    netns "$1" ip link set "$2" up
    netns "$3" ip link set "$4" up
}

# Waits up to $3 seconds for a line matching $2 in file $1; fails early if process $4 is gone.
wait_for_line()
{
    local deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do
        if grep -q -- "$2" "$1" 2>/dev/null; then return 0; fi
        if [[ -n ${4:-} ]] && ! kill -0 "$4" 2>/dev/null; then return 1; fi
        sleep 0.2
    done
    return 1
}

build()
{
    log "building namespaces $NS_SUB, $NS_GW, $NS_NET"
    make_ns "$NS_SUB"
    make_ns "$NS_GW"
    make_ns "$NS_NET"
    veth "$NS_SUB" sub-gw "$NS_GW" gw-sub
    veth "$NS_GW" gw-net "$NS_NET" net-gw

    local a
    for a in "$CLEAN" "$SPAMBOT" "$BUSINESS"; do netns "$NS_SUB" ip addr add "$a/24" dev sub-gw; done
    netns "$NS_SUB" ip route add default via "$GW_INSIDE"

    netns "$NS_GW" ip addr add "$GW_INSIDE/24" dev gw-sub
    netns "$NS_GW" ip addr add 10.98.0.1/30 dev gw-net
    netns "$NS_GW" ip route add 198.18.0.0/24 via 10.98.0.2
    netns "$NS_GW" sysctl -qw net.ipv4.ip_forward=1

    netns "$NS_NET" ip addr add 10.98.0.2/30 dev net-gw
    netns "$NS_NET" ip route add "$INSIDE" via 10.98.0.1
    for a in $(seq 1 30) 200; do netns "$NS_NET" ip addr add "198.18.0.$a/32" dev lo; done

    log "starting SMTP servers: $MX_RANGE port 25, $SUBMISSION port 587"
    ip netns exec "$NS_NET" "$PY" "$LABDIR/smtp_server.py" --port 25 "$MX_RANGE" >"$WORK/mx25.log" 2>&1 &
    PIDS+=($!)
    local mx=$!
    ip netns exec "$NS_NET" "$PY" "$LABDIR/smtp_server.py" --port 587 "$SUBMISSION" >"$WORK/submission.log" 2>&1 &
    PIDS+=($!)
    local sub=$!
    wait_for_line "$WORK/mx25.log" "listening on 30 addresses port 25" 20 "$mx" || die "port-25 servers did not start: $(cat "$WORK/mx25.log")"
    wait_for_line "$WORK/submission.log" "listening on 1 addresses port 587" 20 "$sub" || die "submission server did not start: $(cat "$WORK/submission.log")"

    log "starting egress25 on $NS_GW, capturing on gw-sub with the nftables enforcer"
    mkdir -p "$WORK/state"
    ip netns exec "$NS_GW" "$JAVA" -Xmx256m -jar "$JAR" run -i gw-sub --inside "$INSIDE" --rules "$LABDIR/rules" \
        --enforce nftables --decisions "$WORK/decisions.jsonl" --sessions "$WORK/sessions.jsonl" \
        --state-dir "$WORK/state" --control-socket "$WORK/control.sock" --metrics-port "$METRICS_PORT" \
        >"$WORK/egress25.out" 2>"$WORK/egress25.log" &
    EGRESS_PID=$!
    PIDS+=("$EGRESS_PID")
    if ! wait_for_line "$WORK/egress25.log" "running on gw-sub" 90 "$EGRESS_PID"; then
        cat "$WORK/egress25.log" >&2
        fail "egress25 starts on the gateway (see its output above)"
        die "egress25 did not start"
    fi
}

# ---- the checks --------------------------------------------------------------------------------------

pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }

# excerpt FILE N: the first N bytes of a command's output on one line, for a FAIL message.
excerpt() { head -c "$2" "$1" | tr -s '\n' ' '; }

egress25() { netns "$NS_GW" "$JAVA" -Xmx128m -jar "$JAR" "$@" --control-socket "$WORK/control.sock"; }

# swaks_send SOURCE SERVER PORT: one message from SOURCE; its transcript goes to $WORK/swaks.log.
swaks_send()
{
    local helo=mail.example
    case $1 in
        "$CLEAN") helo=laptop.clean.lab.example ;;
        "$BUSINESS") helo=mx.business.lab.example ;;
        "$SPAMBOT") helo=pc-66.dyn.lab.example ;;
    esac
    {
        printf '\n--- %s %s -> %s:%s\n' "$(date -u +%T.%N)" "$1" "$2" "$3"
        timeout 20 ip netns exec "$NS_SUB" swaks --server "$2" --port "$3" --local-interface "$1" \
            --helo "$helo" --from "user@$helo" --to "someone@d1.lab.example" --timeout 5 \
            --header "Subject: egress25 lab from $1" 2>&1
    } >>"$WORK/swaks.log"
}

# delivers NAME SOURCE SERVER PORT: PASS when swaks delivers and the server logged the message.
delivers()
{
    local log=$WORK/mx25.log
    [[ $4 == 587 ]] && log=$WORK/submission.log
    local before
    before=$(grep -c "delivered client=$2 server=$3:$4" "$log" || true)
    if swaks_send "$2" "$3" "$4"; then
        if wait_for_line_count "$log" "delivered client=$2 server=$3:$4" $((before + 1)); then
            pass "$1 ($2 -> $3:$4 delivered)"
            return
        fi
    fi
    fail "$1 ($2 -> $3:$4 not delivered; see $WORK/swaks.log)"
}

wait_for_line_count()
{
    local _
    for _ in $(seq 20); do
        (($(grep -c -- "$2" "$1" || true) >= $3)) && return 0
        sleep 0.1
    done
    return 1
}

# refused NAME SOURCE SERVER: PASS when a port-25 connection from SOURCE fails, and says how fast.
refused()
{
    local t0 t1
    t0=$(date +%s.%N)
    if swaks_send "$2" "$3" 25; then
        fail "$1 ($2 -> $3:25 was delivered)"
        return
    fi
    t1=$(date +%s.%N)
    local why
    why=$(tail -n 3 "$WORK/swaks.log" | grep -o -m1 -i 'connection refused\|timed out\|reset' || echo failed)
    pass "$1 ($2 -> $3:25: $why after $(calc %.2f "$t1 - $t0") s)"
}

in_kernel_set() { netns "$NS_GW" nft list set inet egress25 blocked4 2>/dev/null | grep -qw "$1"; }

# await_set yes|no HOST SECONDS: waits for the enforcer (it applies decisions off the packet path).
await_set()
{
    local deadline=$((SECONDS + $3))
    while true; do
        if in_kernel_set "$2"; then [[ $1 == yes ]] && return 0; else [[ $1 == no ]] && return 0; fi
        ((SECONDS <= deadline)) || return 1
        sleep 0.1
    done
}

run_checks()
{
    local rules
    if rules=$("$JAVA" -jar "$JAR" rules check "$LABDIR/rules" 2>&1); then
        pass "lab rules check ($(grep -m1 '^Blocking ladder' <<<"$rules"))"
    else
        fail "lab rules check: $rules"
    fi

    log "-- before: everyone mails"
    if egress25 blocks >"$WORK/blocks.0" 2>&1; then
        pass "egress25 blocks answers on the gateway's control socket $WORK/control.sock"
    else
        fail "egress25 blocks: $(excerpt "$WORK/blocks.0" 300)"
    fi
    if netns "$NS_GW" nft list table inet egress25 >"$WORK/nft.0" 2>&1; then
        pass "nftables table inet egress25 exists on the gateway"
    else
        fail "no nftables table inet egress25 on the gateway: $(excerpt "$WORK/nft.0" 300)"
    fi
    delivers "clean host submits on 587" "$CLEAN" "$SUBMISSION" 587
    delivers "business MTA sends on 25" "$BUSINESS" 198.18.0.11 25

    log "-- the spambot starts mass-mailing 30 mail exchangers on port 25"
    local started
    started=$(date +%s.%N)
    ip netns exec "$NS_SUB" "$PY" "$LABDIR/spambot.py" --source "$SPAMBOT" --log "$WORK/spambot.jsonl" \
        --max-sessions 2000 --max-seconds 25 --give-up-after 3 "$MX_RANGE" 2>>"$WORK/spambot.out" &
    local bot=$!
    PIDS+=("$bot")
    local decision reason decided expires rule strikes
    if decision=$("$PY" "$LABDIR/labcheck.py" await-decision "$WORK/decisions.jsonl" "$SPAMBOT" block 20 "$started"); then
        read -r decided expires rule strikes _ <<<"$(head -n1 <<<"$decision")"
        reason=$(tail -n1 <<<"$decision")
        pass "spambot blocked: rule $rule, strike $strikes, $(calc %.1f "$decided - $started") s after it started, block of $(calc %.0f "$expires - $decided") s ($reason)"
    else
        fail "no block decision for the spambot $SPAMBOT within 20 s (egress25 log: $WORK/egress25.log)"
        wait "$bot" || true
        return
    fi
    if await_set yes "$SPAMBOT" 5; then
        pass "kernel set inet egress25 blocked4 holds $SPAMBOT ($(netns "$NS_GW" nft list set inet egress25 blocked4 | grep -o "$SPAMBOT[^,}]*" | head -n1 | tr -s ' '))"
    else
        fail "$SPAMBOT is not in nft set inet egress25 blocked4 5 s after the decision"
    fi
    # The operator's view first: a JVM start is the slowest step here, and all of this must fit in the
    # 20 s block.
    if egress25 blocks >"$WORK/blocks.1" 2>&1 && grep -q "$SPAMBOT" "$WORK/blocks.1" && grep -q "$rule" "$WORK/blocks.1"; then
        pass "egress25 blocks lists $SPAMBOT with rule $rule"
    else
        fail "egress25 blocks does not list $SPAMBOT with $rule: $(excerpt "$WORK/blocks.1" 400)"
    fi
    if egress25 explain "$SPAMBOT" >"$WORK/explain.1" 2>&1 && grep -qi "block" "$WORK/explain.1"; then
        pass "egress25 explain $SPAMBOT says why ($(grep -i -m1 block "$WORK/explain.1" | tr -s ' ' | head -c 200))"
    else
        fail "egress25 explain $SPAMBOT: $(excerpt "$WORK/explain.1" 400)"
    fi
    wait "$bot" || true
    cat "$WORK/spambot.out" >&2
    local cut
    if cut=$("$PY" "$LABDIR/labcheck.py" cutoff "$WORK/spambot.jsonl" "$decided" 1); then
        pass "spambot's port-25 connections fail within seconds of the decision: $cut"
    else
        fail "spambot not cut off after its decision: $cut"
    fi
    refused "spambot cannot open port 25" "$SPAMBOT" "$MX_FIRST"
    delivers "spambot's own address still submits on 587" "$SPAMBOT" "$SUBMISSION" 587
    delivers "clean host still submits on 587 while the spambot is blocked" "$CLEAN" "$SUBMISSION" 587
    local mx
    for mx in 198.18.0.12 198.18.0.13 198.18.0.14; do
        delivers "business MTA still sends on 25 while the spambot is blocked" "$BUSINESS" "$mx" 25
    done
    local wrong
    if wrong=$("$PY" "$LABDIR/labcheck.py" no-decision "$WORK/decisions.jsonl" block "$CLEAN" "$BUSINESS"); then
        pass "no block decision for the clean host or the business MTA"
    else
        fail "clean or business host blocked: $wrong"
    fi

    log "-- waiting for the block to expire ($(calc %.0f "$expires - $(date +%s.%N)") s)"
    sleep "$(calc %.2f "max($expires - $(date +%s.%N) + 1.5)")"
    if in_kernel_set "$SPAMBOT"; then
        fail "$SPAMBOT still in the kernel set after its block expired"
    else
        pass "kernel lifted the block at expiry ($SPAMBOT no longer in blocked4)"
    fi
    delivers "spambot can send on 25 again after expiry" "$SPAMBOT" "$MX_FIRST" 25
    if egress25 blocks >"$WORK/blocks.2" 2>&1 && ! grep -q "$SPAMBOT" "$WORK/blocks.2"; then
        pass "egress25 blocks no longer lists $SPAMBOT after expiry"
    else
        fail "egress25 blocks after expiry: $(excerpt "$WORK/blocks.2" 400)"
    fi

    log "-- the abuse desk blocks by hand, then lifts it"
    if egress25 block "$SPAMBOT" --for 5m --reason "lab: abuse desk manual block" >"$WORK/block.out" 2>&1 \
        && await_set yes "$SPAMBOT" 5; then
        pass "egress25 block $SPAMBOT --for 5m puts it in the kernel set"
    else
        fail "egress25 block $SPAMBOT: $(excerpt "$WORK/block.out" 400)"
    fi
    refused "manually blocked spambot cannot open port 25" "$SPAMBOT" "$MX_FIRST"
    if egress25 unblock "$SPAMBOT" --reason "lab: customer cleaned the PC" >"$WORK/unblock.out" 2>&1 \
        && await_set no "$SPAMBOT" 5; then
        pass "egress25 unblock $SPAMBOT removes it from the kernel set"
    else
        fail "egress25 unblock $SPAMBOT: $(excerpt "$WORK/unblock.out" 400)"
    fi
    delivers "spambot can send on 25 again after unblock" "$SPAMBOT" "$MX_FIRST" 25
    if "$PY" "$LABDIR/labcheck.py" reason "$WORK/decisions.jsonl" "$SPAMBOT" unblock "customer cleaned the PC"; then
        pass "decision log records the unblock with the operator's reason"
    else
        fail "no unblock decision with the operator's reason in $WORK/decisions.jsonl"
    fi

    log "-- egress25 stops; the control commands say so"
    kill -TERM "$EGRESS_PID" 2>/dev/null || true
    wait "$EGRESS_PID" 2>/dev/null || true
    local rc=0
    egress25 blocks >"$WORK/blocks.3" 2>&1 || rc=$?
    if ((rc == 1)) && grep -q "egress25 is not running" "$WORK/blocks.3"; then
        pass "egress25 blocks against a stopped daemon exits 1: $(head -n1 "$WORK/blocks.3")"
    else
        fail "egress25 blocks against a stopped daemon: exit $rc, $(excerpt "$WORK/blocks.3" 300)"
    fi
}

usage()
{
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

down()
{
    [[ $(id -u) -eq 0 ]] || die "must run as root"
    local ns
    for ns in "$NS_SUB" "$NS_GW" "$NS_NET"; do
        if ip netns list | grep -qw "^$ns"; then
            ip netns pids "$ns" | xargs -r kill -KILL 2>/dev/null || true
            ip netns del "$ns"
            log "removed $ns"
        fi
    done
}

main()
{
    local command=${1:-}
    case $command in
        up | demo) ;;
        down) down; return ;;
        *) usage ;;
    esac
    need
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [[ -n ${LAB_DIR:-} ]]; then
        WORK=$LAB_DIR
        mkdir -p "$WORK"
    else
        WORK=$(mktemp -d /tmp/e25lab.XXXXXX)
        OWN_WORK=1
    fi
    build
    if [[ $command == up ]]; then
        cat >&2 <<EOF

The lab is up (Ctrl-C tears it down). Logs, decisions and sessions are in $WORK. Try:
  ip netns exec $NS_SUB $PY $LABDIR/spambot.py --source $SPAMBOT --log /tmp/bot.jsonl $MX_RANGE
  ip netns exec $NS_SUB swaks --server $SUBMISSION --port 587 --local-interface $CLEAN --to a@d1.lab.example
  ip netns exec $NS_GW $JAVA -jar $JAR blocks
  ip netns exec $NS_GW $JAVA -jar $JAR explain $SPAMBOT
  ip netns exec $NS_GW $JAVA -jar $JAR unblock $SPAMBOT --reason "cleaned up"
  ip netns exec $NS_GW nft list table inet egress25
  tail -f $WORK/decisions.jsonl
EOF
        wait "$EGRESS_PID" || die "egress25 exited: $(tail -n 5 "$WORK/egress25.log")"
        return
    fi
    run_checks
    if ((FAILED)); then
        printf 'lab demo: %d of %d checks FAIL\n' "$FAILED" $((PASSED + FAILED))
        log "egress25's log ends:"
        tail -n 20 "$WORK/egress25.log" >&2 || true
        exit 1
    fi
    printf 'lab demo: all %d checks PASS\n' "$PASSED"
}

main "$@"
