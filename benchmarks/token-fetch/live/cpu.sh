#!/bin/bash
# CPU ms of broker JVM (pid in $1/pid) + its postgres processes
WORK=$1; pids="$(cat $WORK/pid)"
for pm in $(pgrep -f -- "-D $WORK/postgres" || true); do pids="$pids $pm $(pgrep -P "$pm" | tr '\n' ' ')"; done
for p in $pids; do [[ -r /proc/$p/stat ]] && sed 's/^.*) //' "/proc/$p/stat"; done | awk -v hz="$(getconf CLK_TCK)" '{t += $12 + $13} END {printf "%d", t * 1000 / hz}'
