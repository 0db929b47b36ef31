#!/bin/bash
# Interleaved measurement of running brokers. Args: name:WORK:PORT ... ; env DURATION ROUNDS CONNS WARM IDLE
# The brokers not being measured are SIGSTOPped (JVM only) so their background work does not share the cores.
set -uo pipefail
DURATION=${DURATION:-15}; ROUNDS=${ROUNDS:-3}; CONNS=${CONNS:-8}; WARM=${WARM:-5}; IDLE=${IDLE:-3}
PATHQ=/v1/users/bench-user/connections/demo/token
echo "=== $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg); DURATION=${DURATION}s ROUNDS=$ROUNDS CONNS=$CONNS WARM=${WARM}s"
declare -a NAMES WORKS PORTS
for spec in "$@"; do IFS=: read -r n w p <<< "$spec"; NAMES+=("$n"); WORKS+=("$w"); PORTS+=("$p"); done
only() { local i; for i in "${!NAMES[@]}"; do if [[ $i == "$1" ]]; then kill -CONT "$(cat ${WORKS[$i]}/pid)"; else kill -STOP "$(cat ${WORKS[$i]}/pid)"; fi; done; }
trap 'for w in "${WORKS[@]}"; do kill -CONT "$(cat $w/pid)"; done' EXIT
for r in $(seq 1 "$ROUNDS"); do
  for i in "${!NAMES[@]}"; do
    only "$i"; w=${WORKS[$i]}; "$(dirname "$0")"/token.sh "$w" "${PORTS[$i]}"; url="http://localhost:${PORTS[$i]}$PATHQ"; tok="$(cat $w/token)"
    wrk -t1 -c "$CONNS" -d "${WARM}s" -H "Authorization: Bearer $tok" "$url" >/dev/null
    i0=$("$(dirname "$0")"/cpu.sh "$w"); sleep "$IDLE"; idle=$(( ($("$(dirname "$0")"/cpu.sh "$w") - i0) / IDLE ))
    c0=$("$(dirname "$0")"/cpu.sh "$w"); t0=$(date +%s%N)
    out="$(wrk -t1 -c "$CONNS" -d "${DURATION}s" --latency -H "Authorization: Bearer $tok" "$url")"
    c1=$("$(dirname "$0")"/cpu.sh "$w"); ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    n=$(echo "$out" | awk '/requests in/{print $1}'); bad=$(echo "$out" | awk '/Non-2xx/{print $NF}')
    echo "$out" > "$w/wrk-r$r.txt"
    printf 'round %s %-8s c=%s %s cpu/req raw=%sus idle-corrected=%sus (idle %s ms/s) non2xx=%s load=%s\n' "$r" "${NAMES[$i]}" "$CONNS" \
      "$(echo "$out" | awk '/^ +50%/{p50=$2} /^ +99%/{p99=$2} /^Requests\/sec/{rps=$2} END{printf "p50=%s p99=%s rps=%s", p50, p99, rps}')" \
      $(( (c1 - c0) * 1000 / n )) $(( (c1 - c0 - idle * ms / 1000) * 1000 / n )) "$idle" "${bad:-0}" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
echo "=== end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
