#!/bin/bash
# Constant-rate latency of running brokers, interleaved (native/constant-rate): RATE ROUNDS SECONDS name:WORK:PORT ...
# The brokers not being measured are SIGSTOPped (JVM only). Needs cc (apt-get install gcc).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; RATE=$1; ROUNDS=$2; S=$3; shift 3
command -v cc >/dev/null || { echo "tail-ab.sh needs a C compiler: apt-get update && apt-get install -y gcc" >&2; exit 1; }
BIN="$(mktemp -d)"; cc -O2 -o "$BIN/constant-rate" "$HERE/../native/constant-rate.c"
PATHQ=/v1/users/bench-user/connections/demo/token
declare -a NAMES WORKS PORTS
for spec in "$@"; do IFS=: read -r n w p <<< "$spec"; NAMES+=("$n"); WORKS+=("$w"); PORTS+=("$p"); done
only() { local i; for i in "${!NAMES[@]}"; do if [[ $i == "$1" ]]; then kill -CONT "$(cat ${WORKS[$i]}/pid)"; else kill -STOP "$(cat ${WORKS[$i]}/pid)"; fi; done; }
trap 'for w in "${WORKS[@]}"; do kill -CONT "$(cat $w/pid)"; done; rm -rf "$BIN"' EXIT
echo "=== $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg); rate ${RATE}/s, ${S} s per run"
for r in $(seq 1 "$ROUNDS"); do
  for i in "${!NAMES[@]}"; do
    only "$i"; w=${WORKS[$i]}; "$HERE/token.sh" "$w" "${PORTS[$i]}"
    wrk -t1 -c8 -d10s -H "Authorization: Bearer $(cat $w/token)" "http://localhost:${PORTS[$i]}$PATHQ" >/dev/null
    "$BIN/constant-rate" localhost "${PORTS[$i]}" "$PATHQ" "$(cat $w/token)" "$RATE" "$S" 8 5 | grep -v '^rate=' \
      | sed "s/^/round $r ${NAMES[$i]}: /"
  done
done
echo "=== end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
