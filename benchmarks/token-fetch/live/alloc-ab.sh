#!/bin/bash
# Allocation per fetch and young pauses of running brokers at a constant rate, interleaved, 2 rounds:
# RATE name:WORK:PORT ...  (native/constant-rate, 20 s after 5 s; the GC log switched on with jcmd VM.log for the run)
# Allocation per fetch = eden consumed between young pauses / fetches. The brokers not measured are SIGSTOPped.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; RATE=$1; shift
command -v cc >/dev/null || { echo "alloc-ab.sh needs a C compiler: apt-get update && apt-get install -y gcc" >&2; exit 1; }
BIN="$(mktemp -d)"; cc -O2 -o "$BIN/constant-rate" "$HERE/../native/constant-rate.c"
PATHQ=/v1/users/bench-user/connections/demo/token
trap 'for o in "$@"; do IFS=: read -r _ ow _ <<< "$o"; kill -CONT "$(cat $ow/pid)"; done; rm -rf "$BIN"' EXIT
for r in 1 2; do for spec in "$@"; do IFS=: read -r n w p <<< "$spec"; pid=$(cat "$w/pid")
  for o in "$@"; do IFS=: read -r _ ow _ <<< "$o"; if [[ $ow == "$w" ]]; then kill -CONT "$(cat $ow/pid)"; else kill -STOP "$(cat $ow/pid)"; fi; done
  "$HERE/token.sh" "$w" "$p"; T="$(cat "$w/token")"
  wrk -t1 -c8 -d10s -H "Authorization: Bearer $T" "http://localhost:$p$PATHQ" >/dev/null
  rm -f "$w/gc-ab.log"; jcmd "$pid" VM.log output="$w/gc-ab.log" output_options=filecount=0 what=gc=info decorators=uptimemillis >/dev/null
  out="$("$BIN/constant-rate" localhost "$p" "$PATHQ" "$T" "$RATE" 20 8 5)"
  jcmd "$pid" VM.log disable >/dev/null
  alloc="$(python3 - "$w/gc-ab.log" "$RATE" <<'PY'
import re, sys
rows = [tuple(map(int, m.groups())) for m in (re.search(r'Pause Young.* (\d+)M->(\d+)M', l) for l in open(sys.argv[1])) if m]
rate = float(sys.argv[2])
if len(rows) < 2:
    print("%d young GCs (too few to estimate)" % len(rows))
else:
    consumed = sum(before - prev_after for (_, prev_after), (before, _) in zip(rows, rows[1:]))
    # the pauses span (n-1)/n of the 25 s run, roughly
    pauses = sorted(float(m.group(1)) for m in (re.search(r'Pause Young.*M\) ([0-9.]+)ms', l) for l in open(sys.argv[1])) if m)
    print("%d young GCs, %.1f KB per fetch, pauses median %.1f ms, max %.1f ms" % (len(rows),
          consumed * 1024.0 / (rate * 25 * (len(rows) - 1) / len(rows)), pauses[len(pauses) // 2], pauses[-1]))
PY
)"
  echo "round $r $n: $(echo "$out" | grep 'from due' | sed 's/latency from due time: //') | $alloc"
done; done
