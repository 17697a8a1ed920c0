#!/usr/bin/env bash
# The whole test suite, as CI runs it: the fast default suite, then the slow end-to-end tests.
#
#   bash scripts/test.sh            # everything (.ci/run calls exactly this)
#   bash scripts/venv.sh pytest     # just the fast default suite, while developing
#
# Installs what the tests need on a new machine: the pinned Python environment (scripts/venv.sh)
# and Google's adb from Debian (the simulated phone is checked against the real adb client/server).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
# Debian packages the tests use: Google's adb (the simulated phone is checked against the real client and
# server), and a JDK + Maven (the Android app's Java is compiled against Maven Central jars and unit-tested).
missing=()
command -v adb >/dev/null 2>&1 || missing+=(adb)
{ command -v javac >/dev/null 2>&1 && command -v javap >/dev/null 2>&1; } || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]} from Debian..." >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing ${missing[*]} and cannot install (not root/apt); those tests skip (they fail under CI=1)." >&2
  fi
fi
status=0
bash scripts/venv.sh python -m pytest "$@" || status=$?
bash scripts/venv.sh python -m pytest -m slow "$@" || { s=$?; [ "$s" = 5 ] || status=$s; }
exit "$status"
