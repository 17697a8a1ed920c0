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
if ! command -v adb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing Debian's adb (Google's adb client and server)..." >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq adb >/dev/null
  else
    echo "test.sh: 'adb' not found and cannot install it (not root/apt); the real-adb tests will skip." >&2
  fi
fi
status=0
bash scripts/venv.sh python -m pytest "$@" || status=$?
bash scripts/venv.sh python -m pytest -m slow "$@" || { s=$?; [ "$s" = 5 ] || status=$s; }
exit "$status"
