#!/usr/bin/env bash
# Swift on Linux for the iOS code: Debian trixie's Swift 6.0.3 (`swiftlang`) in a chroot, made once per
# machine, then `swift build` + `swift test` of every Swift package under ios/.
#
#   bash scripts/swift.sh                  # set up (first time ~2 min, 3.2 GB), then build and test every package
#   bash scripts/swift.sh setup            # only make the root; prints its path
#   bash scripts/swift.sh build|test       # only build, or build and test
#   bash scripts/swift.sh --src DIR test   # the packages under DIR/ios (a copy of the checkout, e.g. a test's temp copy)
#   bash scripts/swift.sh run CMD...       # any command in the root, the checkout at /mnt/mobilekit (cwd)
#
# The root lives outside the checkout, in ${MOBILEKIT_SWIFT_CACHE:-~/.cache/mobilekit}/swift-trixie-<key>,
# <key> being the sha256 of what makes it (suite, variant, package list, the recipe below): a changed
# package list gives a new root, every clone and CI run on the machine reuses the same one. It is built in a
# sibling `.partial` folder and renamed into place when complete, under a flock, so two runs that start
# together wait for one build and an interrupted build is redone. Needs root (as CI runs): debootstrap is
# installed from Debian when missing. Each run works in a private mount namespace (unshare -m): /proc, the
# checkout (read-only) and a per-checkout scratch folder are mounted there and vanish when the run ends, so no
# mount is ever left behind. Build products: the scratch folder (<cache>/swift-scratch/<sha of the source path>),
# one run at a time per source folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite=trixie
variant=minbase
packages="swiftlang libc6-dev"
recipe=1  # bump when the steps below change what the root holds
cache="${MOBILEKIT_SWIFT_CACHE:-$HOME/.cache/mobilekit}"
key="$(printf '%s\n' "$suite" "$variant" "$packages" "$recipe" | sha256sum | cut -c1-16)"
root="$cache/swift-$suite-$key"

src="$here"
if [ "${1:-}" = "--src" ]; then
  src="$(cd "$2" && pwd)"
  shift 2
fi
action="${1:-all}"
[ "$#" -gt 0 ] && shift

die() { echo "swift.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot and mount namespaces), as CI runs; run it with sudo"
command -v unshare >/dev/null && command -v flock >/dev/null || die "needs util-linux (unshare, flock)"

setup() {
  mkdir -p "$cache"
  exec 8>"$root.lock"
  flock 8
  if [ ! -f "$root/.mobilekit-ready" ]; then
    if ! command -v debootstrap >/dev/null 2>&1; then
      echo "swift.sh: installing debootstrap from Debian..." >&2
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    local partial="$root.partial"
    rm -rf "$partial"
    echo "swift.sh: debootstrap --variant=$variant $suite (about 30 s)..." >&2
    local t0=$SECONDS
    debootstrap --variant="$variant" "$suite" "$partial" >"$cache/swift-$suite-$key.debootstrap.log" 2>&1 \
      || { tail -20 "$cache/swift-$suite-$key.debootstrap.log" >&2; die "debootstrap failed (log above)"; }
    cp /etc/resolv.conf "$partial/etc/resolv.conf"
    echo "swift.sh: apt-get install $packages in the root (about a minute, 3.2 GB)..." >&2
    # shellcheck disable=SC2086
    unshare --mount --propagation private bash -c '
      set -e
      mount -t proc proc "$1/proc"
      chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $2 >/dev/null
      chroot "$1" apt-get clean
      # (swift finds its libraries through $ORIGIN, which needs /proc)
      chroot "$1" swift --version >"$1/.mobilekit-swift-version" 2>&1
    ' _ "$partial" "$packages" || { cat "$partial/.mobilekit-swift-version" >&2 2>/dev/null; die "installing Swift in the root failed"; }
    mkdir -p "$partial/mnt/mobilekit" "$partial/mnt/scratch"
    printf 'suite=%s\nvariant=%s\npackages=%s\nrecipe=%s\nmade_utc=%s\nseconds=%s\n' "$suite" "$variant" \
      "$packages" "$recipe" "$(date -u +%FT%TZ)" "$((SECONDS - t0))" >"$partial/.mobilekit-ready"
    rm -rf "$root"
    mv "$partial" "$root"
    echo "swift.sh: root ready in $((SECONDS - t0)) s: $root" >&2
  fi
  flock -u 8
  exec 8>&-
}

# in_root SCRATCH CMD...: CMD in the root (cwd /mnt/mobilekit), the source read-only, SCRATCH read-write.
in_root() {
  local scratch="$1"
  shift
  unshare --mount --propagation private bash -c '
    set -e
    root="$1"; src="$2"; scratch="$3"; shift 3
    mount -t proc proc "$root/proc"
    mount --bind "$src" "$root/mnt/mobilekit"
    mount -o remount,bind,ro "$root/mnt/mobilekit"
    mount --bind "$scratch" "$root/mnt/scratch"
    cd "$root"
    exec chroot "$root" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/mnt/scratch/home LANG=C.UTF-8 \
      TMPDIR=/mnt/scratch/tmp ${MOBILEKIT_SWIFT_ENV:-} \
      bash -c "cd /mnt/mobilekit && exec \"\$@\"" _ "$@"
  ' _ "$root" "$src" "$scratch" "$@"
}

setup
if [ "$action" = setup ]; then
  echo "$root"
  exit 0
fi
scratch="$cache/swift-scratch/$(printf '%s' "$src" | sha256sum | cut -c1-16)"
mkdir -p "$scratch/home" "$scratch/tmp"
exec 7>"$scratch.lock"
flock 7
# A copy elsewhere (--src, e.g. a test's temporary folder) is built once: its scratch folder goes when the run ends.
if [ "$src" != "$here" ]; then
  trap 'rm -rf "$scratch" "$scratch.lock"' EXIT
fi
# The data the Swift tests read (camera frames from real photos with Python's preprocess of each, the MiniLM
# vocab): MOBILEKIT_SWIFT_DATA (a folder, e.g. from tests/apps/test_swift.py), else made now by
# tests/apps/ios_swift_data.py in the pinned Python environment. It is copied into the scratch folder, which the
# root sees at /mnt/scratch; the tests write their result.json files to /mnt/scratch/out, copied back to
# MOBILEKIT_SWIFT_OUT when that is set (pytest validates them against the JSON Schemas).
rm -rf "$scratch/data" "$scratch/out" && mkdir -p "$scratch/out"
if [ "$action" = test ] || [ "$action" = all ]; then
  if [ -n "${MOBILEKIT_SWIFT_DATA:-}" ]; then
    cp -R "$MOBILEKIT_SWIFT_DATA" "$scratch/data"
  else
    echo "swift.sh: making the Swift tests' data (tests/apps/ios_swift_data.py)..." >&2
    bash "$here/scripts/venv.sh" python "$here/tests/apps/ios_swift_data.py" "$scratch/data" >/dev/null
  fi
fi
export MOBILEKIT_SWIFT_ENV="MOBILEKIT_SWIFT_DATA=/mnt/scratch/data MOBILEKIT_VOCAB=/mnt/scratch/data/minilm MOBILEKIT_SWIFT_OUT=/mnt/scratch/out"
if [ "$action" = run ]; then
  in_root "$scratch" "$@"
  exit $?
fi
mapfile -t pkgs < <(cd "$src" && find ios -name Package.swift -not -path '*/.build/*' -not -path '*/upstream/*' -printf '%h\n' | sort)
[ "${#pkgs[@]}" -gt 0 ] || die "no Package.swift under $src/ios"
status=0
for pkg in "${pkgs[@]}"; do
  out="/mnt/scratch/build/${pkg//\//_}"
  t0=$SECONDS
  echo "swift.sh: swift build $pkg" >&2
  if ! in_root "$scratch" swift build --package-path "$pkg" --scratch-path "$out" --build-tests "$@"; then
    echo "swift.sh: swift build of $pkg FAILED" >&2
    status=1
    continue
  fi
  echo "swift.sh: built $pkg in $((SECONDS - t0)) s" >&2
  if [ "$action" = test ] || [ "$action" = all ]; then
    t0=$SECONDS
    in_root "$scratch" swift test --package-path "$pkg" --scratch-path "$out" --skip-build "$@" || status=1
    echo "swift.sh: tested $pkg in $((SECONDS - t0)) s" >&2
  fi
done
if [ -n "${MOBILEKIT_SWIFT_OUT:-}" ]; then
  mkdir -p "$MOBILEKIT_SWIFT_OUT" && cp -R "$scratch/out/." "$MOBILEKIT_SWIFT_OUT/"
fi
exit "$status"
