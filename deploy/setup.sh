#!/usr/bin/env bash
# Installs what egress25 needs on a fresh Debian (12+) or Ubuntu machine, then builds target/egress25.jar.
# As root it installs missing packages itself; otherwise it prints the exact apt-get line and stops.
#
#   libpcap0.8 / libpcap-dev  the capture library pcap4j loads (libpcap.so)
#   tcpdump                   benchmarks compare against it; handy for recording fixtures
#   nftables, iproute2        the enforcer, and the network-namespace tests and lab
#   prometheus                provides promtool, which checks the /metrics output in the tests
#   swaks, python3-aiosmtpd   real SMTP client and server for the live tests and the lab
#   chromium                  headless browser that opens the HTML report in its test
#   gobgpd, bird2             the flowspec enforcer's BGP daemon, and an edge router for its namespace test
#   openjdk-25-jdk-headless   only when no Java 25 is found (deploy/jdk.sh says where it looks); where the
#                             distribution has none (Debian 12), setup names what to install and stops
#   maven                     only when no mvn is on the PATH already
# The build then runs with JAVA_HOME set to that Java 25, whatever the default `java` is, and ends with the
# launcher's AOT cache (target/egress25.aot), trained by one replay of the demo capture.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/jdk.sh

packages=(libpcap0.8 libpcap-dev tcpdump nftables iproute2 prometheus swaks python3-aiosmtpd chromium asciidoctor systemd zsh gobgpd bird2)
jdk_package=openjdk-$EGRESS25_JAVA_RELEASE-jdk-headless
find_java_home javac >/dev/null || packages+=("$jdk_package")
command -v mvn >/dev/null 2>&1 || packages+=(maven)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    if [[ " ${missing[*]} " == *" $jdk_package "* ]] && ! apt-cache show "$jdk_package" >/dev/null 2>&1; then
      echo "setup: $(java_missing_message) ($jdk_package is not in this distribution.)" >&2
      exit 1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages; run as root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    [[ " ${missing[*]} " != *" $jdk_package "* ]] || echo "setup: $(java_missing_message)" >&2
    exit 1
  fi
fi

use_java_for_maven

if [[ "${EGRESS25_SKIP_BUILD:-}" != 1 ]]; then
  if [[ ! -f target/egress25.jar || -n "$(find src rules pom.xml -newer target/egress25.jar -print -quit)" ]]; then
    echo "setup: building target/egress25.jar" >&2
    mvn -B -q -DskipTests package
  fi
  # the launcher's AOT cache, trained by a replay of the demo capture (deploy/aot-cache.sh)
  [[ target/egress25.aot -nt target/egress25.jar ]] || bash deploy/aot-cache.sh
fi
