#!/usr/bin/env bash
# Runs every test: unit tests, replays of the shared captures, and (as root) the live tests in network
# namespaces with real libpcap capture, nftables and SMTP peers. Does its own set-up first.
set -euo pipefail
cd "$(dirname "$0")/.."
EGRESS25_SKIP_BUILD=1 bash deploy/setup.sh
mvn -B verify "$@"
