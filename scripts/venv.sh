#!/usr/bin/env bash
# Run a command inside mobilekit's pinned virtual environment, creating it first if needed.
#
#   bash scripts/venv.sh mobilekit demo      # the main job on the built-in demo model
#   bash scripts/venv.sh pytest              # the test suite
#
# The environment lives outside the checkout, keyed by the sha256 of requirements.txt, so every clone
# (and every CI run on the same machine) reuses one install of torch instead of downloading it again;
# a new machine, or a changed requirements.txt, gets a complete fresh install from the same script.
# Override the location with MOBILEKIT_VENV_ROOT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-python3}"
key="$(cat "$here/requirements.txt" | sha256sum | cut -c1-16)"
root="${MOBILEKIT_VENV_ROOT:-$HOME/.cache/mobilekit/venvs}"
venv="$root/$key"
if [ ! -f "$venv/.complete" ]; then
  echo "mobilekit: creating the Python environment in $venv (first run downloads torch, a few GB)..." >&2
  rm -rf "$venv"
  mkdir -p "$root"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
  touch "$venv/.complete"
fi
# The checkout itself: editable, no dependencies (they are all pinned above). Cheap when already there.
if ! "$venv/bin/python" - "$here" <<'PY' 2>/dev/null
import sys, pathlib, mobilekit.export as e
sys.exit(0 if pathlib.Path(e.__file__).resolve().parent == pathlib.Path(sys.argv[1]).resolve() / "export" else 1)
PY
then
  "$venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e "$here" >&2
fi
export PATH="$venv/bin:$PATH"
export VIRTUAL_ENV="$venv"
cd "$here"
exec "$@"
