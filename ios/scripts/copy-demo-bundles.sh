#!/usr/bin/env bash
# Puts the demo bundles into ios/Generated/bundles/<name>/ (the app's resources), from exported bundles:
# by default ../out/digits_cnn and ../out/efficientnet_lite0 at the repository root (make them with
# `bash scripts/venv.sh mobilekit export digits` / `... export efficientnet_lite0`), or the folders given
# as arguments. Only what iOS runs is copied: manifest, labels, sample, .pte and .mlpackage.
# Xcode runs this before each build (project.yml preBuildScripts); nothing binary is committed.
set -euo pipefail
ios="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$ios/Generated/bundles"
mkdir -p "$out"
if [ "$#" -eq 0 ]; then set -- "$ios/../out/digits_cnn" "$ios/../out/efficientnet_lite0"; fi
found=0
for src in "$@"; do
  [ -f "$src/manifest.json" ] || { echo "copy-demo-bundles: no bundle at $src (skipped)" >&2; continue; }
  dst="$out/$(basename "$src")"
  rm -rf "$dst" && mkdir -p "$dst"
  for f in "$src"/manifest.json "$src"/labels.txt "$src"/sample_*.bin "$src"/*.pte; do
    [ -e "$f" ] && cp "$f" "$dst/"
  done
  for p in "$src"/*.mlpackage; do
    [ -d "$p" ] && cp -R "$p" "$dst/"
  done
  found=$((found + 1))
done
[ "$found" -gt 0 ] || echo "copy-demo-bundles: no demo bundle; the app starts empty (export one, then rebuild)" >&2
