#!/bin/bash
# What runs on the CPUs while requests are slow: WORK PORT RATE [SECONDS=10]. One native/constant-rate run at RATE
# against the broker in WORK, traced with perf's sched_switch on every CPU, then live/episodes.py. Needs perf
# (apt-get install -y linux-perf) and cc. `live/episodes.py WORK/slow.txt WORK/sched.txt OFFSET 0` (OFFSET printed
# below) then shows the worst episode's timeline. CLIENT_FIFO=1: the load generator as a real-time thread (tail.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; W=$1; P=$2; RATE=$3; S=${4:-10}
command -v perf >/dev/null || { echo "episodes.sh needs perf: apt-get update && apt-get install -y linux-perf" >&2; exit 2; }
[[ -d /sys/kernel/tracing/events ]] || mount -t tracefs nodev /sys/kernel/tracing
CLIENT=(); [[ -n ${CLIENT_FIFO:-} ]] && CLIENT=(chrt -f 1)
BIN="$(mktemp -d)"; trap 'rm -rf "$BIN"' EXIT; cc -O2 -o "$BIN/constant-rate" "$HERE/../native/constant-rate.c"
"$HERE/token.sh" "$W" "$P"
perf record -q -k mono -e sched:sched_switch -a -o "$W/sched.data" -- sleep $((S + 7)) 2>/dev/null & PERF=$!
CR_SLOW_DUMP="$W/slow.txt" "${CLIENT[@]}" "$BIN/constant-rate" localhost "$P" /v1/users/bench-user/connections/demo/token "$(cat "$W/token")" "$RATE" "$S" 8 5
wait $PERF; perf script -i "$W/sched.data" > "$W/sched.txt" 2>/dev/null
OFFSET=$(python3 -c 'import time; print(time.time() - time.monotonic())'); echo "offset $OFFSET"
"$HERE/episodes.py" "$W/slow.txt" "$W/sched.txt" "$OFFSET"
