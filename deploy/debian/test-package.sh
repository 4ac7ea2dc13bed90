#!/usr/bin/env bash
# The Debian package as an operator meets it, on this machine (deploy/test.sh runs it as root):
#
#   1. apt-get install ./target/egress25_*.deb: files, conffiles, man pages, completion, user and groups
#   2. the installed unit: systemd-analyze verify and security, the hardening the package promises
#   3. the unit's own command line (ExecStart, EnvironmentFile, User, UMask, AmbientCapabilities read from
#      the installed file) started the way systemd would, under setpriv as user egress25 with only
#      CAP_NET_RAW and CAP_NET_ADMIN, no new privileges, standard error a "journal stream" (JOURNAL_STREAM),
#      inside network namespaces: it captures on a veth, blocks a real spambot through nftables, reloads
#      on SIGHUP (ExecReload), writes nowhere but its state, log and runtime directories, stops cleanly
#   4. apt-get remove keeps configuration and state; apt-get purge leaves nothing behind
#
# CI has no running systemd, hence setpriv for step 3. Prints PASS/FAIL per check and a closing
# "package: N passed, M failed" (the plain form CI reads); exits non-zero on any FAIL. Serialised by a
# lock, because it installs and purges a system package and parallel runs on one machine would purge
# each other's.
#   bash deploy/debian/test-package.sh [PACKAGE.deb]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEB=${1:-}
PY=/usr/bin/python3
LAB=$ROOT/deploy/lab
UNIT=/lib/systemd/system/egress25.service
ID=e25p$(printf '%04x' $((RANDOM % 65536)))
NS_SUB=$ID-sub
NS_GW=$ID-gw
NS_NET=$ID-net
SPAMBOT=10.99.0.66
CLEAN=10.99.0.10
PASSED=0
FAILED=0
WORK=
PID=
MADE_NS=()
BG=()

log() { printf '%s package test: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
netns() { ip netns exec "$1" "${@:2}"; }
installed() { dpkg-query -W -f='${db:Status-Abbrev}' egress25 2>/dev/null | grep -q '^ii'; }
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"; }

cleanup()
{
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in $PID "${BG[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    local ns
    for ns in "${MADE_NS[@]}"; do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf /run/egress25
    if dpkg-query -W egress25 >/dev/null 2>&1 && [[ -n $WORK ]]; then
        apt_get purge egress25 >/dev/null 2>&1 || true
    fi
    if [[ -n $WORK ]]; then
        if ((rc == 0)); then rm -rf "$WORK"; else log "logs kept in $WORK"; fi
    fi
    exit "$rc"
}

# unit_value KEY: the value of KEY= in the installed unit (the last one, as systemd would take)
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }

# ---- 1. install ----------------------------------------------------------------------------------

install_package()
{
    log "installing $DEB"
    if apt_get install "$DEB" >"$WORK/apt-install.log" 2>&1 && installed; then
        pass "apt-get install ./$(basename "$DEB") (dependencies: $(dpkg-query -W -f='${Depends}' egress25))"
    else
        fail "apt-get install $DEB: $(tail -n 5 "$WORK/apt-install.log" | tr '\n' ' ')"
        return 1
    fi
    check "jar and launcher under /usr/share/egress25, /usr/bin/egress25 runs it" \
        bash -c '[[ -f /usr/share/egress25/egress25.jar && -x /usr/share/egress25/egress25 ]] && /usr/bin/egress25 --version | grep -q "^egress25 "'
    local conffiles
    conffiles=$(dpkg-query -W -f='${Conffiles}' egress25)
    check "rules in /etc/egress25 and /etc/default/egress25 are conffiles" bash -c '
        for f in /etc/egress25/detectors.yaml /etc/egress25/enforcement.yaml /etc/egress25/exemptions.yaml \
                 /etc/egress25/networks.yaml /etc/default/egress25; do
            grep -q " $f " <<<"$1 " || exit 1
        done' _ "$conffiles"
    check "the installed rules pass egress25 rules check" bash -c '/usr/bin/egress25 rules check /etc/egress25 >/dev/null'
    check "man pages egress25(1) and egress25-run(1) are installed and say what run does" bash -c '
        zcat /usr/share/man/man1/egress25.1.gz | grep -q "^\.TH \"EGRESS25\" \"1\"" &&
        zcat /usr/share/man/man1/egress25-run.1.gz | grep -q -- "state\\\\-dir"'
    # the function bash registers for egress25: what it offers after "egress25 ru" and "egress25 run --state"
    local words
    # shellcheck disable=SC2016 # expanded by the inner shell
    words=$(bash -c 'source /usr/share/bash-completion/completions/egress25
        function=$(complete -p egress25 | sed -n "s/.*-F \([^ ]*\).*/\1/p")
        COMP_WORDS=(egress25 ru); COMP_CWORD=1; "$function"; printf "%s " "${COMPREPLY[@]}"; echo -n "| "
        COMP_WORDS=(egress25 run --state); COMP_CWORD=2; "$function"; printf "%s " "${COMPREPLY[@]}"' 2>/dev/null || true)
    check "bash completion offers subcommands and their options (egress25 ru<TAB>, egress25 run --state<TAB>: $(tr -s ' ' <<<"$words"))" \
        bash -c '[[ $1 == *" run "*"|"* && $1 == *" rules "*"|"* && $1 == *"| --state-dir"* ]]' _ " $words"
    # zsh, driven through a pseudo-terminal as a person types: "egress25 run --state<TAB>"
    local zsh_line
    # shellcheck disable=SC2016 # a zsh script
    zsh_line=$(timeout 30 zsh -f -c '
        zmodload zsh/zpty
        zpty z "PS1=\"> \" TERM=dumb zsh -f -i"
        zpty -w z "autoload -U compinit; compinit -u; egress25() { :; }"
        sleep 1
        zpty -w -n z $'"'"'egress25 run --state\t'"'"'
        sleep 3
        out=""
        while zpty -r -t z line; do out+=$line; done
        print -r -- $out
        zpty -d z' 2>&1 | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' || true)
    check "zsh completes egress25 run --state<TAB> to --state-dir, without errors" \
        bash -c '[[ $1 == *"egress25 run --state-dir"* && $1 != *"not found"* ]]' _ "$zsh_line"
    local shell uid
    IFS=: read -r _ _ uid _ _ _ shell < <(getent passwd egress25)
    check "system user egress25 (uid $uid, shell $shell) in group egress25; group egress25-read for the desk" bash -c '
        (($1 < 1000)) && [[ $2 == */nologin ]] && [[ $(id -gn egress25) == egress25 ]] &&
        getent group egress25-read >/dev/null' _ "$uid" "$shell"
    check "state /var/lib/egress25 and log /var/log/egress25 directories belong to egress25, mode 750" bash -c '
        [[ $(stat -c "%U:%G %a" /var/lib/egress25) == "egress25:egress25 750" &&
           $(stat -c "%U:%G %a" /var/log/egress25) == "egress25:egress25 750" ]]'
}

# ---- 2. the unit ---------------------------------------------------------------------------------

check_unit()
{
    if command -v systemd-analyze >/dev/null 2>&1; then
        local out
        if out=$(systemd-analyze verify "$UNIT" 2>&1) && [[ -z $out ]]; then
            pass "systemd-analyze verify $UNIT: no findings"
        else
            fail "systemd-analyze verify $UNIT: $out"
        fi
        local exposure
        exposure=$(systemd-analyze security --offline=yes "$UNIT" 2>/dev/null | sed -n 's/.*Overall exposure level for egress25.service: \([0-9.]*\).*/\1/p')
        # 1.8 when written; anything from 2.5 up means hardening was lost
        check "systemd-analyze security exposure ${exposure:-unknown} (below 2.5)" \
            awk -v e="${exposure:-99}" 'BEGIN { exit !(e < 2.5) }'
    else
        fail "systemd-analyze is missing (package systemd): the unit cannot be verified"
    fi
    check "User=egress25, AmbientCapabilities and CapabilityBoundingSet exactly CAP_NET_RAW CAP_NET_ADMIN" bash -c '
        [[ $1 == egress25 && $2 == "CAP_NET_RAW CAP_NET_ADMIN" && $3 == "CAP_NET_RAW CAP_NET_ADMIN" ]]' \
        _ "$(unit_value User)" "$(unit_value AmbientCapabilities)" "$(unit_value CapabilityBoundingSet)"
    check "NoNewPrivileges, ProtectSystem=strict, ProtectHome, PrivateTmp, ReadWritePaths for state and log" bash -c '
        [[ $1 == yes && $2 == strict && $3 == yes && $4 == yes && " $5 " == *" /var/lib/egress25 "* && " $5 " == *" /var/log/egress25 "* ]]' \
        _ "$(unit_value NoNewPrivileges)" "$(unit_value ProtectSystem)" "$(unit_value ProtectHome)" \
        "$(unit_value PrivateTmp)" "$(unit_value ReadWritePaths)"
    check "ExecReload sends SIGHUP to the main process, Restart=on-failure" bash -c '
        [[ $1 == *"kill -HUP \$MAINPID" && $2 == on-failure ]]' _ "$(unit_value ExecReload)" "$(unit_value Restart)"
    local condition out rc=0
    condition=$(unit_value ExecCondition)
    # shellcheck disable=SC2016 # the condition is expanded by the inner shell, as systemd would
    out=$(env -i INTERFACE= bash -c 'eval "set -- $1"; exec "$@"' _ "$condition" 2>&1) || rc=$?
    check "unconfigured (INTERFACE empty) the service is skipped with a message: $out" \
        bash -c '(($1 == 1)) && [[ $2 == *"set INTERFACE in /etc/default/egress25"* ]]' _ "$rc" "$out"
}

# ---- 3. the service's command line in a namespace lab --------------------------------------------

build_lab()
{
    log "namespaces $NS_SUB -> $NS_GW -> $NS_NET"
    local ns
    for ns in "$NS_SUB" "$NS_GW" "$NS_NET"; do
        ip netns add "$ns"
        MADE_NS+=("$ns")
        netns "$ns" ip link set lo up
    done
    ip link add sub-gw netns "$NS_SUB" type veth peer name gw-sub netns "$NS_GW"
    ip link add gw-net netns "$NS_GW" type veth peer name net-gw netns "$NS_NET"
    netns "$NS_SUB" ip link set sub-gw up
    netns "$NS_GW" ip link set gw-sub up
    netns "$NS_GW" ip link set gw-net up
    netns "$NS_NET" ip link set net-gw up
    netns "$NS_SUB" ip addr add "$SPAMBOT/24" dev sub-gw
    netns "$NS_SUB" ip addr add "$CLEAN/24" dev sub-gw
    netns "$NS_SUB" ip route add default via 10.99.0.1
    netns "$NS_GW" ip addr add 10.99.0.1/24 dev gw-sub
    netns "$NS_GW" ip addr add 10.98.0.1/30 dev gw-net
    netns "$NS_GW" ip route add 198.18.0.0/24 via 10.98.0.2
    netns "$NS_GW" sysctl -qw net.ipv4.ip_forward=1
    netns "$NS_NET" ip addr add 10.98.0.2/30 dev net-gw
    netns "$NS_NET" ip route add 10.99.0.0/24 via 10.98.0.1
    local a
    for a in $(seq 1 30); do netns "$NS_NET" ip addr add "198.18.0.$a/32" dev lo; done
    ip netns exec "$NS_NET" "$PY" "$LAB/smtp_server.py" --port 25 198.18.0.1-30 >"$WORK/mx25.log" 2>&1 &
    BG+=($!)
    local _
    for _ in $(seq 100); do grep -q "listening on 30 addresses port 25" "$WORK/mx25.log" && return 0; sleep 0.2; done
    log "SMTP servers did not start: $(cat "$WORK/mx25.log")"
    return 1
}

# The operator's two edits: the interface, and enforcement on (the shipped rules only alert).
configure()
{
    sed -i 's/^INTERFACE=.*/INTERFACE=gw-sub/; s/^EGRESS25_OPTS=.*/EGRESS25_OPTS="--enforce nftables"/' /etc/default/egress25
}

# start_service: the unit's ExecStart, expanded as systemd expands it ($VAR split into words, ${VAR} one
# word) with the EnvironmentFile's variables, run as User= with the unit's capabilities, UMask=,
# RuntimeDirectory= and standard error as the journal stream, in the gateway namespace.
start_service()
{
    local user caps umask runtime exec envfile
    user=$(unit_value User)
    caps=$(unit_value AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g; s/^/+/')
    umask=$(unit_value UMask)
    runtime=$(unit_value RuntimeDirectory)
    exec=$(unit_value ExecStart)
    envfile=$(unit_value EnvironmentFile)
    envfile=${envfile#-}
    install -d -o "$user" -g "$user" -m "$(unit_value RuntimeDirectoryMode)" "/run/$runtime"
    : >"$WORK/journal"
    local stream
    stream=$(stat -c '%d:%i' "$WORK/journal")
    local -a command
    # shellcheck disable=SC2016 # expanded by the inner shell, with the environment file's variables
    mapfile -t command < <(env -i bash -c 'set -a; source "$1"; set +a; eval "set -- $2"; printf "%s\n" "$@"' _ "$envfile" "$exec")
    log "ExecStart as $user with +${caps//+/}: ${command[*]}"
    (
        umask "$umask"
        exec ip netns exec "$NS_GW" setpriv --reuid="$user" --regid="$user" --init-groups \
            --inh-caps=-all,"$caps" --ambient-caps=-all,"$caps" --bounding-set=-all,"$caps" --no-new-privs \
            env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/egress25 \
            USER="$user" LOGNAME="$user" SHELL=/usr/sbin/nologin JOURNAL_STREAM="$stream" \
            bash -c 'set -a; source "$1"; set +a; shift; exec "$@"' _ "$envfile" "${command[@]}"
    ) >>"$WORK/journal" 2>&1 &
    PID=$!
    local _
    for _ in $(seq 450); do
        grep -q "running on gw-sub" "$WORK/journal" && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.2
    done
    return 1
}

status_field() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$PID/status"; }

# metric SERIES: the value of one series (name, or name{label="value"}) on the gateway's metrics endpoint
metric() { netns "$NS_GW" "$PY" -c '
import sys, urllib.request
for line in urllib.request.urlopen("http://127.0.0.1:9325/metrics", timeout=5).read().decode().splitlines():
    series, _, value = line.rpartition(" ")
    if series.replace(",}", "}") == sys.argv[1]:
        print(value); break' "$1"; }

run_service()
{
    configure
    if start_service; then
        pass "the service's command line starts under setpriv as $(unit_value User) ($(grep -m1 -o 'running on gw-sub[^,]*' "$WORK/journal"))"
    else
        fail "the service's command line did not start: $(tail -n 20 "$WORK/journal" | tr '\n' ' ') $(ls -la --time-style=full-iso /var/lib/egress25 | tr '\n' ' ')"
        return 1
    fi
    local uid want
    uid=$(id -u egress25)
    want=$(printf '%016x' $(((1 << 12) | (1 << 13)))) # CAP_NET_ADMIN 12, CAP_NET_RAW 13
    check "the JVM runs as uid $uid with CapEff=CapPrm=CapAmb=CapBnd=$want (only NET_ADMIN, NET_RAW) and NoNewPrivs" bash -c '
        [[ $(cut -f1 <<<"$1") == "$2" && $3 == "$6" && $4 == "$6" && $5 == "$6" && $7 == "$6" && $8 == 1 ]]' _ \
        "$(status_field Uid)" "$uid" "$(status_field CapEff)" "$(status_field CapPrm)" "$(status_field CapAmb)" "$want" \
        "$(status_field CapBnd)" "$(status_field NoNewPrivs)"
    check "its command is the installed launcher's java -jar /usr/share/egress25/egress25.jar" \
        bash -c 'tr "\0" " " </proc/$1/cmdline | grep -q -- "-jar /usr/share/egress25/egress25.jar run -i gw-sub"' _ "$PID"

    log "the spambot $SPAMBOT starts mass-mailing 30 mail exchangers"
    local started
    started=$(date +%s.%N)
    ip netns exec "$NS_SUB" "$PY" "$LAB/spambot.py" --source "$SPAMBOT" --log "$WORK/spambot.jsonl" \
        --max-sessions 2000 --max-seconds 25 --give-up-after 8 198.18.0.1-30 2>>"$WORK/spambot.out" &
    local bot=$!
    BG+=("$bot")
    local decision
    if decision=$("$PY" "$LAB/labcheck.py" await-decision /var/log/egress25/decisions.jsonl "$SPAMBOT" block 30 "$started"); then
        pass "spambot blocked by the shipped rules, decision in /var/log/egress25/decisions.jsonl: $(head -n1 <<<"$decision" | cut -d' ' -f3)"
    else
        fail "no block decision for $SPAMBOT within 30 s: $(tail -n 5 "$WORK/journal" | tr '\n' ' ')"
    fi
    local _ inset=no
    for _ in $(seq 50); do
        if netns "$NS_GW" nft list set inet egress25 blocked4 2>/dev/null | grep -qw "$SPAMBOT"; then inset=yes; break; fi
        sleep 0.1
    done
    check "the nft child (ambient CAP_NET_ADMIN) put $SPAMBOT into set inet egress25 blocked4" test "$inset" = yes
    wait "$bot" || true
    local decided cut
    decided=$(head -n1 <<<"${decision:-0}" | cut -d' ' -f1)
    # 4 s of grace: how fast is the lab's promise (LabIT); here the journal's fsync goes to a real disk
    if cut=$("$PY" "$LAB/labcheck.py" cutoff "$WORK/spambot.jsonl" "$decided" 4); then
        pass "the spambot's port-25 connections are refused from the kernel on: $cut"
    else
        fail "the spambot was not cut off: $cut"
    fi
    local clean
    clean=$(netns "$NS_SUB" "$PY" -c '
import socket, sys
s = socket.socket(); s.settimeout(3); s.bind((sys.argv[1], 0))
try:
    s.connect(("198.18.0.5", 25)); print("open")
except OSError as e:
    print(e)' "$CLEAN")
    check "a clean host still reaches port 25 meanwhile ($clean)" test "$clean" = open
    local listed refusal rc=0
    listed=$(/usr/bin/egress25 blocks 2>&1 || true)
    check "root's egress25 blocks on the control socket lists the spambot" grep -q "$SPAMBOT" <<<"$listed"
    refusal=$(setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/egress25 unblock "$SPAMBOT" --reason test 2>&1) || rc=$?
    check "a user in neither group cannot unblock (exit $rc: $(head -n1 <<<"$refusal" | cut -c1-100))" \
        bash -c '(($1 != 0)) && [[ $2 == *"permission denied"* ]]' _ "$rc" "$refusal"
    local captured
    captured=$(metric egress25_packets_captured_total || true)
    check "metrics: libpcap capture on the veth (egress25_packets_captured_total ${captured:-missing})" \
        awk -v n="${captured:-0}" 'BEGIN { exit !(n > 100) }'

    log "reload as ExecReload does it"
    local before after
    before=$(metric 'egress25_rules_reload_total{result="success"}' || true)
    kill -HUP "$PID"
    for _ in $(seq 20); do
        after=$(metric 'egress25_rules_reload_total{result="success"}' || true)
        awk -v a="${after:-0}" -v b="${before:-0}" 'BEGIN { exit !(a > b) }' && break
        sleep 0.5
    done
    check "SIGHUP reloads the rules (egress25_rules_reload_total{result=\"success\"} ${before:-?} -> ${after:-?})" \
        awk -v a="${after:-0}" -v b="${before:-0}" 'BEGIN { exit !(a > b) }'

    # the dashboard and the alerts against what this running instance really exports
    local unknown
    unknown=$(netns "$NS_GW" "$PY" "$ROOT/deploy/debian/metric-names.py" http://127.0.0.1:9325/metrics \
        "$ROOT/deploy/grafana/egress25.json" "$ROOT/deploy/prometheus/egress25-alerts.yml" 2>&1) || true
    check "every metric the Grafana dashboard and the alert rules name is exported by the running service${unknown:+: $unknown}" \
        test -z "$unknown"

    local unprefixed stamped
    unprefixed=$(grep -cv '^<[0-7]>' "$WORK/journal" || true)
    stamped=$(grep -c '^<[0-7]>[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T' "$WORK/journal" || true)
    check "every line on the journal stream has a priority prefix and no timestamp of its own ($(wc -l <"$WORK/journal") lines)" \
        test "$unprefixed$stamped" = 00

    log "stopping with SIGTERM, as systemctl stop does"
    kill -TERM "$PID"
    local rc=0
    wait "$PID" || rc=$?
    PID=
    check "SIGTERM stops it with a success status (exit $rc; SuccessExitStatus=143)" bash -c '(($1 == 0 || $1 == 143))' _ "$rc"
    local stray
    stray=$(find /etc /usr /var /opt /srv /root /home /run -user egress25 2>/dev/null |
        grep -v -e '^/var/lib/egress25' -e '^/var/log/egress25' -e '^/run/egress25' | head -n 5 || true)
    check "it wrote only to its state, log and runtime directories (ProtectSystem=strict would refuse the rest)${stray:+: $stray}" \
        test -z "$stray"
    check "the block journal is in /var/lib/egress25" bash -c '[[ -n $(ls -A /var/lib/egress25) ]]'
    rm -rf "/run/$(unit_value RuntimeDirectory)"
}

# ---- 4. remove and purge -------------------------------------------------------------------------

remove_package()
{
    if apt_get remove egress25 >"$WORK/apt-remove.log" 2>&1; then
        pass "apt-get remove egress25"
    else
        fail "apt-get remove egress25: $(tail -n 5 "$WORK/apt-remove.log" | tr '\n' ' ')"
    fi
    check "after remove: program gone, configuration, state and user kept (status $(dpkg-query -W -f='${db:Status-Abbrev}' egress25 2>/dev/null))" bash -c '
        [[ ! -e /usr/bin/egress25 && ! -e /usr/share/egress25 && ! -e /lib/systemd/system/egress25.service ]] &&
        [[ -f /etc/egress25/networks.yaml && -f /etc/default/egress25 && -d /var/lib/egress25 ]] && getent passwd egress25 >/dev/null'
    if apt_get purge egress25 >"$WORK/apt-purge.log" 2>&1; then
        pass "apt-get purge egress25"
    else
        fail "apt-get purge egress25: $(tail -n 5 "$WORK/apt-purge.log" | tr '\n' ' ')"
    fi
    check "after purge: no files, directories, user or groups left" bash -c '
        ! dpkg-query -W egress25 >/dev/null 2>&1 &&
        [[ ! -e /etc/egress25 && ! -e /etc/default/egress25 && ! -e /var/lib/egress25 && ! -e /var/log/egress25 ]] &&
        [[ ! -e /usr/share/doc/egress25 && ! -e /usr/share/man/man1/egress25.1.gz ]] &&
        ! getent passwd egress25 >/dev/null && ! getent group egress25 >/dev/null && ! getent group egress25-read >/dev/null'
}

main()
{
    [[ $(id -u) -eq 0 ]] || { echo "package test: needs root (installs a package, builds namespaces); skipped" >&2; exit 0; }
    if [[ -z $DEB ]]; then
        DEB=$(ls "$ROOT"/target/egress25_*.deb 2>/dev/null | tail -n 1 || true)
    fi
    [[ -n $DEB && -f $DEB ]] || { echo "package test: no target/egress25_*.deb: build it with mvn -Pdeb package" >&2; exit 1; }
    DEB=$(readlink -f "$DEB")
    local c
    for c in ip nft setpriv apt-get zsh "$PY"; do
        command -v "$c" >/dev/null 2>&1 || { echo "package test: $c is missing: run deploy/setup.sh" >&2; exit 1; }
    done
    exec 9>/run/lock/egress25-package-test.lock
    flock -w 900 9 || { echo "package test: another run holds /run/lock/egress25-package-test.lock" >&2; exit 1; }
    if dpkg-query -W egress25 >/dev/null 2>&1; then
        echo "package test: egress25 is already installed here; this test installs and purges it: apt-get purge egress25 first" >&2
        exit 1
    fi
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    WORK=$(mktemp -d /tmp/e25pkg.XXXXXX)
    chmod 755 "$WORK"

    if install_package; then
        check_unit
        if build_lab; then run_service || true; else fail "namespace lab"; fi
        remove_package
    fi
    printf 'package: %d passed, %d failed\n' "$PASSED" "$FAILED"
    ((FAILED == 0))
}

main "$@"
