#!/usr/bin/env bash
# Run a command inside mobilekit's pinned Python environment, creating it first if needed.
#
#   bash scripts/venv.sh mobilekit demo      # the main job on the built-in demo model
#   bash scripts/venv.sh pytest              # the fast test suite
#
# Two layers, so torch is downloaded once per machine but every checkout has its own install:
#  - the pinned dependencies (requirements.txt, then requirements-nodeps.txt with --no-deps) live outside
#    the checkout, keyed by the sha256 of both files: every clone, and every CI run on the same machine, reuses them, while a new
#    machine or a changed requirements.txt gets a complete fresh install from this same script;
#  - <checkout>/.venv is a small environment that sees those packages (a .pth line) and holds this
#    checkout, installed editable, plus the `mobilekit` command.
# Override the shared location with MOBILEKIT_VENV_ROOT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-python3}"
key="$(cat "$here/requirements.txt" "$here/requirements-nodeps.txt" | sha256sum | cut -c1-16)"
root="${MOBILEKIT_VENV_ROOT:-$HOME/.cache/mobilekit/venvs}"
deps="$root/$key"
mkdir -p "$root"
# One installer at a time per key (two checkouts or two test runs starting together would wipe each other).
exec 9>"$root/.lock-$key"
flock 9
if [ ! -f "$deps/.complete" ]; then
  echo "mobilekit: installing the pinned packages into $deps (first run downloads torch, a few GB)..." >&2
  rm -rf "$deps"
  mkdir -p "$root"
  "$py" -m venv "$deps"
  "$deps/bin/python" -m pip install --quiet --upgrade pip
  "$deps/bin/python" -m pip install --quiet -r "$here/requirements.txt"
  "$deps/bin/python" -m pip install --quiet --no-deps -r "$here/requirements-nodeps.txt"
  touch "$deps/.complete"
fi
local_venv="$here/.venv"
stamp="$local_venv/.mobilekit-deps"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$deps" ]; then
  echo "mobilekit: setting up $local_venv on top of $deps..." >&2
  rm -rf "$local_venv"
  "$deps/bin/python" -m venv --without-pip "$local_venv"
  site="$("$local_venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  deps_site="$("$deps/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  # addsitedir (not a bare path) so the shared packages' own .pth files are honoured too; "zz" sorts it
  # after this checkout's own editable-install .pth, so this checkout always wins.
  echo "import site; site.addsitedir('$deps_site')" > "$site/zz-mobilekit-deps.pth"
  "$local_venv/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e "$here" >&2
  # The shared packages' commands (pytest, ...), re-pointed at this interpreter.
  for script in "$deps"/bin/*; do
    name="$(basename "$script")"
    if [ ! -e "$local_venv/bin/$name" ] && head -c 256 "$script" | head -n1 | grep -qx "#!$deps/bin/python[0-9.]*"; then
      sed "1s|.*|#!$local_venv/bin/python|" "$script" > "$local_venv/bin/$name"
      chmod +x "$local_venv/bin/$name"
    fi
  done
  echo "$deps" > "$stamp"
fi
flock -u 9
exec 9>&-
export PATH="$local_venv/bin:$PATH"
export VIRTUAL_ENV="$local_venv"
cd "$here"
exec "$@"
