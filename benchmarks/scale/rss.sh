#!/usr/bin/env bash
# Broker RSS with 100,000 linked token sets and the scheduler running, and token-fetch p99 at that size vs at 10
# sets (issue 11). One command: benchmarks/scale/rss.sh; results are appended to benchmarks/scale/RESULTS.md.
#
# Starts broker-api/target/token-broker.jar (built when missing) in demo mode on a fresh embedded PostgreSQL with the
# default JVM options (as the Dockerfile runs it; JAVA_OPTS adds more), links one demo account over HTTP like a
# browser (as benchmarks/token-fetch/run.sh does), then grows the store to 10 and to TOKEN_SETS (100,000) linked token
# sets by copying that account's stored TokenSetLinked event in SQL (new user id and token-set id; the running
# processors project them into token_set_view, token_set_history and refresh_schedule like any new event). At each
# size: RSS of the broker JVM (and its heap after a full GC), then wrk against the real account's token endpoint.
# The copies cannot be refreshed (their ciphertexts are bound to the original token set), so their access tokens are
# issued with a 20-day lifetime: the scheduler runs and polls 100,000 schedule rows, but nothing falls due during the
# run (benchmarks/scale/run.sh scheduler measures refreshing). env: TOKEN_SETS, DURATION (15s), ROUNDS (2), PORT,
# PG_PORT, KEEP=1 (keep the temp directory).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOKEN_SETS="${TOKEN_SETS:-100000}"
PORT="${PORT:-18090}"
PG_PORT="${PG_PORT:-15490}"
DURATION="${DURATION:-15s}"
ROUNDS="${ROUNDS:-2}"
JAR="$ROOT/broker-api/target/token-broker.jar"
BASE="http://localhost:$PORT"
USER_ID=bench-user
say() { echo "rss.sh: $*" >&2; }
for tool in curl jq wrk; do command -v "$tool" >/dev/null || { say "needs $tool"; exit 1; }; done
[[ -f "$JAR" ]] || (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl broker-api -am package)
PGJDBC="$(ls ~/.m2/repository/org/postgresql/postgresql/*/postgresql-*.jar | grep -v sources | tail -1)"
JDBC="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres"
sql() { java -cp "$PGJDBC" "$ROOT/benchmarks/scale/Sql.java" "$JDBC" "$@"; }

WORK="$(mktemp -d -t rss-bench.XXXXXX)"
OUT="$WORK/results.txt"
BROKER_PID=""
cleanup() {
  [[ -n "$BROKER_PID" ]] && { kill "$BROKER_PID" 2>/dev/null || true; wait "$BROKER_PID" 2>/dev/null || true; }
  [[ "${KEEP:-0}" == "1" ]] && say "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
report() { echo "BENCHMARK $*" | tee -a "$OUT"; }

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED="$(date -u +%Y-%m-%dT%H:%MZ)"
say "starting the broker (log: $WORK/broker.log)"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" --broker.embedded-postgres.port="$PG_PORT" \
  --broker.embedded-postgres.data-directory="$WORK/postgres" --broker.crypto.kek.generate-into="$WORK/kek" \
  --broker.demo.enabled=true --broker.demo.idp-port=0 --broker.demo.access-token-ttl=20d \
  --logging.level.root=WARN >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 900); do
  curl -fsS "$BASE/actuator/health/readiness" 2>/dev/null | grep -q UP && break
  kill -0 "$BROKER_PID" 2>/dev/null || { say "broker exited"; tail -50 "$WORK/broker.log" >&2; exit 1; }
  sleep 1
done
TOKEN="$(curl -fsS -u demo-app:demo-secret-for-local-use-only -d grant_type=client_credentials "$BASE/oauth2/token" | jq -r .access_token)"
link() { # the browser's way through the demo IdP; on a loaded machine the IdP discovery can time out: retried
  CONNECT_URL="$(curl -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"userId\":\"$USER_ID\",\"connector\":\"demo\",\"returnTo\":\"$BASE/demo/linked\"}" "$BASE/v1/connect-sessions" | jq -r '.connectUrl // empty')"
  [[ -n "$CONNECT_URL" ]] || return 1
  AUTHORIZE="$(curl -sS -o /dev/null -w '%{redirect_url}' "$CONNECT_URL")"
  CALLBACK="$(curl -sS -o /dev/null -w '%{redirect_url}' --data-urlencode "username=bench-upstream" -d "claims=" "$AUTHORIZE")"
  RETURNED="$(curl -sS -o /dev/null -w '%{redirect_url}' "$CALLBACK")"
  [[ "$RETURNED" == *status=linked* ]]
}
for attempt in 1 2 3 4 5; do link && break; say "linking attempt $attempt failed, retrying"; sleep 5; done
[[ "${RETURNED:-}" == *status=linked* ]] || { say "linking failed: ${RETURNED:-}"; exit 1; }
TOKEN_PATH="/v1/users/$USER_ID/connections/demo/token"
[[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$TOKEN_PATH")" == 200 ]] || { say "no token"; exit 1; }
TEMPLATE="$(sql "SELECT aggregateidentifier FROM domainevententry WHERE payloadtype LIKE '%TokenSetLinked' LIMIT 1")"
say "linked $USER_ID (token set $TEMPLATE)"

wait_projected() { # until token_set_view and refresh_schedule hold $1 rows
  local view sched
  for _ in $(seq 1 36); do # 3 minutes per step at most: the bench slot is short
    kill -0 "$BROKER_PID" 2>/dev/null || { say "broker exited"; exit 1; }
    view="$(sql "SELECT count(*) FROM token_set_view")"; sched="$(sql "SELECT count(*) FROM refresh_schedule")"
    (( view >= $1 && sched >= $1 )) && return 0
    say "projections: token_set_view $view, refresh_schedule $sched of $1 (load $(cut -d' ' -f1 /proc/loadavg))"; sleep 5
  done
  say "projections did not reach $1 rows within 3 minutes; heap: $(jcmd "$BROKER_PID" GC.heap_info 2>&1 | head -3 | tr -s ' ' | tr '\n' ' ')"
  exit 1
}
grow_to() { # copies of the linked event up to $1 token sets in all, in chunks of 10,000, each projected before the next:
  # 100,000 events in one burst pin every event the slowest processor has not reached in the embedded event store's
  # shared cache (measured: ~3.6 KB per event, OutOfMemoryError at -Xmx256m), which no real fleet of links does
  local have; have="$(sql "SELECT count(*) FROM domainevententry WHERE payloadtype LIKE '%TokenSetLinked'")"
  while (( have < $1 )); do
    local to=$(( have + 10000 < $1 ? have + 10000 : $1 ))
    sql "INSERT INTO domainevententry (aggregateidentifier, sequencenumber, type, eventidentifier, timestamp, payloadtype,
           payloadrevision, payload, metadata)
         SELECT md5('fleet-' || n)::uuid::text, 0, e.type, md5('event-' || n)::uuid::text, e.timestamp, e.payloadtype,
           e.payloadrevision, convert_to(replace(replace(convert_from(e.payload, 'UTF8'), e.aggregateidentifier,
           md5('fleet-' || n)::uuid::text), '\"$USER_ID\"', '\"fleet-' || lpad(n::text, 7, '0') || '\"'), 'UTF8'), e.metadata
         FROM domainevententry e, generate_series($have, $(( to - 1 ))) n
         WHERE e.aggregateidentifier = '$TEMPLATE' AND e.sequencenumber = 0" >/dev/null
    have=$to
    wait_projected "$have"
  done
  wait_projected "$1"
}
rss_mb() { awk '/VmRSS/{printf "%d", $2/1024}' "/proc/$BROKER_PID/status"; }
measure() { # label
  sleep 20 # let the scheduler poll a few times
  report "$1: $(sql "SELECT count(*) FROM token_set_view") token sets, $(sql "SELECT count(*) FROM domainevententry") events; RSS $(rss_mb) MB; load $(cut -d' ' -f1-3 /proc/loadavg)"
  wrk -t1 -c8 -d5s -H "Authorization: Bearer $TOKEN" "$BASE$TOKEN_PATH" >/dev/null # warm-up
  for round in $(seq 1 "$ROUNDS"); do
    for c in 1 8; do
      local out; out="$(wrk -t1 -c"$c" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$BASE$TOKEN_PATH")"
      report "$1 round $round c=$c: $(echo "$out" | awk '/^ +50%/{p50=$2} /^ +99%/{p99=$2} /^Requests\/sec/{rps=$2} /Non-2xx/{e=$NF}
        END{printf "p50=%s p99=%s rps=%s non2xx=%s", p50, p99, rps, (e==""?0:e)}'); load $(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
  report "$1: RSS after load $(rss_mb) MB; heap after full GC: $(jcmd "$BROKER_PID" GC.run >/dev/null; jcmd "$BROKER_PID" GC.heap_info | head -2 | tr -s ' ' | tr '\n' ' ')"
}

grow_to 10; measure "10 token sets"
grow_to "$TOKEN_SETS"; measure "$TOKEN_SETS token sets"
report "database: $(sql "SELECT pg_size_pretty(pg_database_size('postgres'))"); JVM: $(java -version 2>&1 | head -1); options: ${JAVA_OPTS:-default}; $(nproc) cores"
{
  echo; echo "### rss — $STARTED"; echo
  echo "\`benchmarks/scale/rss.sh\` (TOKEN_SETS=$TOKEN_SETS, wrk -t1, $DURATION per run) on $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo; echo '```'; cat "$OUT"; echo '```'
} >> "$ROOT/benchmarks/scale/RESULTS.md"
say "appended to benchmarks/scale/RESULTS.md"
