#!/bin/bash
# CPU ms of broker JVM (pid in $1/pid) + its postgres processes. Counts each process's reaped children too
# (cutime + cstime): a backend that exits between two readings (the pool retires connections after 30 min) is
# then still counted, in the postmaster's total, instead of vanishing from the second reading.
WORK=$1; pids="$(cat $WORK/pid)"
# The postmaster's command line has "-D <data dir>"; the JVM's has the directory too, hence the "-D".
for pm in $(pgrep -f -- "-D $WORK/postgres" || true); do pids="$pids $pm $(pgrep -P "$pm" | tr '\n' ' ')"; done
for p in $pids; do [[ -r /proc/$p/stat ]] && sed 's/^.*) //' "/proc/$p/stat"; done | awk -v hz="$(getconf CLK_TCK)" '{t += $12 + $13 + $14 + $15} END {printf "%d", t * 1000 / hz}'
