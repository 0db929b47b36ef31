#!/bin/bash
# What an idle broker does: WORK [SECONDS=30]. Reads, over SECONDS with no requests:
#   per JVM thread group: CPU (ms/s), times it was scheduled (runs/s: its wake-ups), from /proc/<tid>/schedstat;
#   its PostgreSQL (the embedded one in WORK/postgres): CPU of all its processes, transactions/s, rows written/s.
# The counts do not depend on how busy the host is; the CPU figures do (a preempted vCPU counts as run time).
set -euo pipefail
W=$1; S=${2:-30}; P=$(cat "$W/pid"); PGPID=$(sed -n 1p "$W/postgres/postmaster.pid"); PGPORT=$(sed -n 4p "$W/postgres/postmaster.pid")
threads() { for t in /proc/"$P"/task/*; do echo "${t##*/}:$(tr ' ' _ < "$t/comm" | sed 's/[0-9]*$//') $(cat "$t/schedstat" 2>/dev/null || echo 0 0 0)"; done | sort; }
pgcpu() { for p in "$PGPID" $(pgrep -P "$PGPID"); do echo "$p $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null)"; done | sort; }
pgstat() { psql -h localhost -p "$PGPORT" -U postgres -d postgres -Atc \
  "select xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted from pg_stat_database where datname = current_database()"; }
command -v psql >/dev/null || { echo "idle.sh needs psql: apt-get install -y postgresql-client" >&2; exit 2; }
t0="$(threads)"; c0=$(pgcpu); IFS='|' read -r x0 w0 <<< "$(pgstat)"
sleep "$S"
t1="$(threads)"; c1=$(pgcpu); IFS='|' read -r x1 w1 <<< "$(pgstat)"
echo "=== $(date -u +%T) idle broker $W over $S s (load $(cut -d' ' -f1-3 /proc/loadavg))"
# threads that lived through the whole reading, summed per name (pool threads that came or went are left out)
join <(echo "$t0") <(echo "$t1") | awk -v S="$S" '{ split($1, id, ":"); cpu[id[2]] += ($5 - $2) / 1e6 / S; runs[id[2]] += ($7 - $4) / S }
  END { for (k in cpu) { tc += cpu[k]; tr += runs[k]
          if (runs[k] >= 0.5 || cpu[k] >= 0.5) printf "  %-24s %7.1f runs/s %7.2f ms/s CPU\n", k, runs[k], cpu[k] }
        printf "  %-24s %7.1f runs/s %7.2f ms/s CPU\n", "JVM total", tr, tc }' | sort -k2 -n -r
# the psql reading itself is one transaction per call
# processes that lived through the whole reading (a backend that exits takes its CPU along)
pgms=$(join <(echo "$c0") <(echo "$c1") | awk -v S="$S" '{ t += $3 - $2 } END { printf "%d", t * 10 / S }')
echo "  PostgreSQL: ${pgms} ms/s CPU, $(echo "scale=1; ($x1 - $x0 - 1) / $S" | bc) transactions/s, $(echo "scale=1; ($w1 - $w0) / $S" | bc) rows written/s"
