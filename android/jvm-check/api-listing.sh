#!/usr/bin/env bash
# Prints the public JVM API of classes, one line per member: SOURCE<TAB>CLASS<TAB>javap line (the class's own
# declaration line included), sorted. Used by record-llm-api.sh (real sources) and check.sh (the stand-ins).
#   api-listing.sh SOURCE CLASSPATH CLASS...
set -euo pipefail
source_name="$1"; classpath="$2"; shift 2
for cls in "$@"; do
  javap -public -cp "$classpath" "$cls" | grep -vE '^Compiled from|^}$' | sed 's/^ *//' | grep -v '^$' \
    | grep -vE '(access\$|\$Companion Companion;)' | sed "s|^|${source_name}\t${cls}\t|"
done | LC_ALL=C sort -u
