#!/bin/bash
# Latency below saturation against the machine's floor (issue 17): WORK PORT [ROUNDS=3] [SECONDS=30]
# 1. the broker's maximum with native/constant-rate in the closed model (8 connections);
# 2. per round, each at half that maximum, constant rate, latency from the due time:
#    the broker;
#    the null server (native/null-server.c: the floor, no work at all) with the broker idle beside it;
#    the null server with the broker's JVM SIGSTOPped;
#    the null server while one thread spins (native/vcpu-gaps.c), broker stopped: a machine about as busy as
#    the broker makes it at that rate, with nothing but the client and the null server on the request path.
# ATTRIBUTE=1: split the broker's requests over 2 ms into those on a safepoint and the rest (live/attribute.py).
# CLIENT_FIFO=1: run the load generator as a real-time thread (chrt -f 1), so the machine's own agents (on the
# benchmark machine: the sandbox's process_api at nice -10, the kernel's kdamond) cannot preempt it and delay its
# sends and reads; it still takes its CPU time from the same two vCPUs (RESULTS.md, "Eighth pass").
# Needs cc (apt-get install gcc).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; W=$1; P=$2; ROUNDS=${3:-3}; S=${4:-30}
command -v cc >/dev/null || { echo "tail.sh needs a C compiler: apt-get update && apt-get install -y gcc" >&2; exit 1; }
BIN="$W/native"; mkdir -p "$BIN"
for tool in constant-rate null-server vcpu-gaps; do cc -O2 -o "$BIN/$tool" "$HERE/../native/$tool.c"; done
CLIENT=(); [[ -n ${CLIENT_FIFO:-} ]] && CLIENT=(chrt -f 1)
PATHQ=/v1/users/bench-user/connections/demo/token; NULL_PORT=$((P + 1000)); pid=$(cat "$W/pid")
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
run() { # label port token rate
  local b0 t0 b1 t1 c0 c1; read -r b0 t0 <<< "$(busy)"; c0=$("$HERE/cpu.sh" "$W")
  if [[ $2 == "$P" && -n ${ATTRIBUTE:-} ]]; then rm -f "$W/safepoints.log"
    jcmd "$pid" VM.log output="$W/safepoints.log" output_options=filecount=0 what=safepoint=info decorators=timemillis >/dev/null
    CR_SLOW_DUMP="$W/slow.txt" "${CLIENT[@]}" "$BIN/constant-rate" localhost "$2" "$PATHQ" "$3" "$4" "$S" 8 5 | sed "s/^/$1: /"
    jcmd "$pid" VM.log disable >/dev/null
    "$HERE/attribute.py" "$W/slow.txt" "$W/safepoints.log" $(( $4 * S )) | sed "s/^/$1: /"
  else
    "${CLIENT[@]}" "$BIN/constant-rate" localhost "$2" "$PATHQ" "$3" "$4" "$S" 8 5 | sed "s/^/$1: /"
  fi
  read -r b1 t1 <<< "$(busy)"; c1=$("$HERE/cpu.sh" "$W")
  # the broker's CPU only means something while it serves (a PostgreSQL backend that exits takes its CPU along)
  if [[ $2 == "$P" ]]; then
    echo "$1: machine busy $(( (b1 - b0) * 100 / (t1 - t0) ))%; broker + PostgreSQL $(( (c1 - c0) * 1000 / ($4 * (S + 5)) )) us per request"
  else
    echo "$1: machine busy $(( (b1 - b0) * 100 / (t1 - t0) ))%"
  fi
}
trap 'kill -CONT $pid; [[ -n ${NULL_PID:-} ]] && kill $NULL_PID' EXIT
"$BIN/null-server" "$NULL_PORT" & NULL_PID=$!
echo "=== $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
"$HERE/token.sh" "$W" "$P"; TOKEN="$(cat "$W/token")"
wrk -t1 -c8 -d20s -H "Authorization: Bearer $TOKEN" "http://localhost:$P$PATHQ" >/dev/null   # re-warm
max=$("${CLIENT[@]}" "$BIN/constant-rate" localhost "$P" "$PATHQ" "$TOKEN" 0 15 8 5 | tee /dev/stderr | awk '/^closed model/{sub("/s","",$5); print $5}')
half=$(( max / 2 )); echo "maximum ${max}/s (closed model, 8 connections); half: ${half}/s"
for r in $(seq 1 "$ROUNDS"); do
  "$HERE/token.sh" "$W" "$P"; TOKEN="$(cat "$W/token")"
  run "round $r broker" "$P" "$TOKEN" "$half"
  run "round $r null, broker idle" "$NULL_PORT" x "$half"
  kill -STOP "$pid"
  run "round $r null, broker stopped" "$NULL_PORT" x "$half"
  "$BIN/vcpu-gaps" $((S + 5)) | sed "s/^/round $r spinner: /" & SPIN=$!
  run "round $r null+spinner, broker stopped" "$NULL_PORT" x "$half"; wait $SPIN
  kill -CONT "$pid"; sleep 2
done
echo "=== end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
