#!/usr/bin/env bash
# A/B of two broker jars with run.sh, interleaved (A, B, A, B, ...) so drifting load from other work hits both.
# Usage: benchmarks/token-fetch/ab.sh A.jar B.jar [PAIRS=2]; every run.sh env setting passes through.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
A="$1"; B="$2"; PAIRS="${3:-2}"
# bash reads a script while running it: run a copy, so run.sh may be edited meanwhile.
RUN="$HERE/.run-$$.sh"; cp "$HERE/run.sh" "$RUN"; trap 'rm -f "$RUN"' EXIT
for pair in $(seq 1 "$PAIRS"); do
  for jar in "$A" "$B"; do
    echo "=== pair $pair: $jar (load $(cut -d' ' -f1-3 /proc/loadavg))"
    JAR="$jar" bash "$RUN" 2>&1 | grep -v '^run.sh: \(installing\|starting\|broker ready\|linked\|warming\)' || true
  done
done
