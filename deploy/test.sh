#!/usr/bin/env bash
# Runs every test: unit tests, replays of the shared captures, and (as root) the live tests in network
# namespaces with real libpcap capture, nftables and SMTP peers. Does its own set-up first.
set -euo pipefail
cd "$(dirname "$0")/.."
EGRESS25_SKIP_BUILD=1 bash deploy/setup.sh
# build and test with the Java 25 that setup found or installed, not the distribution's default java
source deploy/jdk.sh
use_java_for_maven
# install, not just verify: the benchmarks are a build of their own that uses the installed jar, and they are
# compiled here (not run) so a change to what they call cannot leave them broken unnoticed
# -Pdeb: also target/egress25_*.deb, which deploy/debian/test-package.sh installs, runs and purges (as root)
mvn -B install -Pdeb "$@"
mvn -B -q -f benchmarks/pom.xml package
bash deploy/debian/test-package.sh
