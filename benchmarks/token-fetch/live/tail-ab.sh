#!/bin/bash
# Constant-rate latency of running brokers, interleaved (native/constant-rate): RATE ROUNDS SECONDS name:WORK:PORT ...
# The brokers not being measured are SIGSTOPped (JVM only). Needs cc (apt-get install gcc).
# GAPS=S: before each run, read the host with quiet.sh for S seconds (all brokers stopped) and print it beside the
# run, so each row carries the noise of its own minute.
# ATTRIBUTE=1: log the broker's safepoints during each run and split the requests over 2 ms into those that fall on
# a safepoint (a GC pause, mostly) and the rest (live/attribute.py).
# CLIENT_FIFO=1: run the load generator as a real-time thread (chrt -f 1), so the machine's own agents (on the
# benchmark machine: the sandbox's process_api at nice -10, the kernel's kdamond) cannot preempt it and delay its
# sends and reads; it still takes its CPU time from the same two vCPUs (RESULTS.md, "Eighth pass").
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; RATE=$1; ROUNDS=$2; S=$3; shift 3
command -v cc >/dev/null || { echo "tail-ab.sh needs a C compiler: apt-get update && apt-get install -y gcc" >&2; exit 1; }
BIN="$(mktemp -d)"; cc -O2 -o "$BIN/constant-rate" "$HERE/../native/constant-rate.c"
CLIENT=(); [[ -n ${CLIENT_FIFO:-} ]] && CLIENT=(chrt -f 1)
PATHQ=/v1/users/bench-user/connections/demo/token
declare -a NAMES WORKS PORTS
for spec in "$@"; do IFS=: read -r n w p <<< "$spec"; NAMES+=("$n"); WORKS+=("$w"); PORTS+=("$p"); done
only() { local i; for i in "${!NAMES[@]}"; do if [[ $i == "$1" ]]; then kill -CONT "$(cat ${WORKS[$i]}/pid)"; else kill -STOP "$(cat ${WORKS[$i]}/pid)"; fi; done; }
trap 'for w in "${WORKS[@]}"; do kill -CONT "$(cat $w/pid)"; done; rm -rf "$BIN"' EXIT
echo "=== $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg); rate ${RATE}/s, ${S} s per run"
for r in $(seq 1 "$ROUNDS"); do
  for i in "${!NAMES[@]}"; do
    if [[ -n ${GAPS:-} ]]; then echo "round $r ${NAMES[$i]}: host $("$HERE/quiet.sh" "$GAPS" "${WORKS[@]}" || true)"; fi
    only "$i"; w=${WORKS[$i]}; "$HERE/token.sh" "$w" "${PORTS[$i]}"
    wrk -t1 -c8 -d10s -H "Authorization: Bearer $(cat $w/token)" "http://localhost:${PORTS[$i]}$PATHQ" >/dev/null
    cpu0=$("$HERE/cpu.sh" "$w"); pid=$(cat "$w/pid")
    if [[ -n ${ATTRIBUTE:-} ]]; then rm -f "$w/safepoints.log"
      jcmd "$pid" VM.log output="$w/safepoints.log" output_options=filecount=0 what=safepoint=info decorators=timemillis >/dev/null; fi
    out="$(CR_SLOW_DUMP="$w/slow.txt" "${CLIENT[@]}" "$BIN/constant-rate" localhost "${PORTS[$i]}" "$PATHQ" "$(cat $w/token)" "$RATE" "$S" 8 5)"
    cpu1=$("$HERE/cpu.sh" "$w"); n=$(echo "$out" | sed -nE 's/.*requests=([0-9]+).*/\1/p')
    echo "$out" | grep -v '^rate=' | sed "s/^/round $r ${NAMES[$i]}: /"
    if [[ -n ${ATTRIBUTE:-} ]]; then jcmd "$pid" VM.log disable >/dev/null
      "$HERE/attribute.py" "$w/slow.txt" "$w/safepoints.log" "$n" | sed "s/^/round $r ${NAMES[$i]}: /"; fi
    # the run's 5 s warm-up is in the CPU reading; constant-rate's count is the measured part only
    echo "round $r ${NAMES[$i]}: broker + PostgreSQL CPU per fetch $(( (cpu1 - cpu0) * 1000 * S / (S + 5) / n )) us"
  done
done
echo "=== end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
