#!/bin/bash
# Is the host quiet right now? Args: [SECONDS] [WORK...] (the brokers in WORK are SIGSTOPped for the reading).
# Spins one native/vcpu-gaps per vCPU at once for SECONDS (default 3) and exits 0 when every vCPU lost less than
# MAX_LOST percent (default 0.5) with no gap over MAX_GAP_MS (default 2). Prints the readings either way.
# The machine's tail moves with the host's hour (RESULTS.md), so run tail measurements behind it:
#   until /work/bin/bench sh -c 'live/quiet.sh && live/tail-ab.sh …'; do sleep 300; done
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; S=${1:-3}; shift || true; MAX_LOST=${MAX_LOST:-0.5}; MAX_GAP_MS=${MAX_GAP_MS:-2}
command -v cc >/dev/null || { echo "quiet.sh needs a C compiler: apt-get update && apt-get install -y gcc" >&2; exit 2; }
BIN="$(mktemp -d)"; trap 'for w in "$@"; do kill -CONT "$(cat "$w/pid")"; done; rm -rf "$BIN"' EXIT
for w in "$@"; do kill -STOP "$(cat "$w/pid")"; done; cc -O2 -o "$BIN/vcpu-gaps" "$HERE/../native/vcpu-gaps.c"
readings="$(for c in $(seq 0 $(( $(nproc) - 1 ))); do taskset -c "$c" "$BIN/vcpu-gaps" "$S" & done; wait)"
echo "$(date -u +%T) $(echo "$readings" | sed -E 's/.*worst ([0-9.]+) ms; time lost ([0-9.]+)%/worst \1 ms, lost \2 %/' | paste -sd'|')"
echo "$readings" | awk -v lost="$MAX_LOST" -v gap="$MAX_GAP_MS" '
  { match($0, /worst [0-9.]+/); w = substr($0, RSTART + 6, RLENGTH - 6) + 0
    match($0, /lost [0-9.]+/); l = substr($0, RSTART + 5, RLENGTH - 5) + 0
    if (w > gap || l > lost) noisy = 1 }
  END { exit noisy }'
