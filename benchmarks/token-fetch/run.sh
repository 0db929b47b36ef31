#!/usr/bin/env bash
# Token-fetch hot path vs. a cheap endpoint behind the same authentication (issue #6, Performance).
#
# Starts the built broker jar in demo mode on the embedded PostgreSQL (fresh temp directory), links
# a demo account over HTTP the way a browser would, then loads with wrk, one endpoint at a time:
#   token        GET /v1/users/{u}/connections/demo/token   the hot path (valid token, warm caches)
#   connections  GET /v1/users/{u}/connections              the comparison: same Bearer JWT validation,
#                                                           same client lookup, one read-model query,
#                                                           no decryption, no hand-out bookkeeping
#   auth-only    GET /v1/users/{u}/connections/github/token 403 connector_not_allowed after JWT
#                                                           validation and client lookup: the floor
#   exchange     POST /oauth2/token, RFC 8693 token exchange  the same user's token for the user's JWT from
#                                                           the demo app's login (issue #15): client secret
#                                                           (Basic), subject JWT against the cached JWKS,
#                                                           then the same retrieval as `token`
# Each endpoint: a warm-up, then ROUNDS rounds that interleave the endpoints (so drifting load from
# other work hits all of them alike), each a single-connection run (service latency) and a concurrent
# run (throughput). Prints p50/p99/throughput and broker+PostgreSQL CPU per request for every run.
#
# Usage: benchmarks/token-fetch/run.sh
#   env: JAR (broker-api/target/token-broker.jar; e.g. /tmp/before.jar for an A/B),
#        ENDPOINTS ("token exchange connections auth-only"), CONC_ONLY=1 skips the c=1 runs,
#        PORT (18080), IDP_PORT (18090, the demo IdP), READY_TIMEOUT (300 s: broker start-up on a loaded box),
#        DURATION (10s), WARMUP (10s), CONNECTIONS (8), THREADS (1), ROUNDS (3),
#        BROKER_ARGS="--some.setting=value ..." passes more settings to the broker,
#        KEEP=1 keeps the temp directory (broker log, wrk outputs),
#        RATE_FRACTION=0.5 ends with a constant-rate run (ConstantRate.java) at that fraction of the best token
#        throughput, RATE_SECONDS (30) long: p99 below saturation without coordinated omission,
#        STEADY=180 instead measures the time from launch to steady throughput: token endpoint loaded with
#        CONNECTIONS right after the link, in 2 s slices, for that many seconds (JAVA_OPTS for JVM flags),
#        PROFILE=1 records each measured run with Java Flight Recorder into it (implies KEEP=1)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PORT="${PORT:-18080}"
IDP_PORT="${IDP_PORT:-18090}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-10s}"
CONNECTIONS="${CONNECTIONS:-8}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-1}"
JAR="${JAR:-$ROOT/broker-api/target/token-broker.jar}"
BASE="http://localhost:$PORT"
DEMO_CLIENT=demo-app
DEMO_SECRET=demo-secret-for-local-use-only
USER_ID="bench-user"

say() { echo "run.sh: $*" >&2; }

for tool in curl jq; do
  command -v "$tool" >/dev/null || { say "needs $tool"; exit 1; }
done
if ! command -v wrk >/dev/null; then
  if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
    say "installing wrk (apt-get install -y wrk)"
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    say "needs wrk: sudo apt-get install -y wrk"; exit 1
  fi
fi
if [[ ! -f "$JAR" ]]; then
  say "building $JAR"
  (cd "$ROOT" && ./mvnw -B -q -DskipTests -pl broker-api -am package)
fi

WORK="$(mktemp -d -t token-fetch-bench.XXXXXX)"
BROKER_PID=""
cleanup() {
  if [[ -n "$BROKER_PID" ]]; then kill "$BROKER_PID" 2>/dev/null || true; wait "$BROKER_PID" 2>/dev/null || true; fi
  if [[ "${KEEP:-0}" != "1" && "${PROFILE:-0}" != "1" ]]; then rm -rf "$WORK"; else say "kept $WORK"; fi
}
trap cleanup EXIT

say "starting the broker on port $PORT (log: $WORK/broker.log)"
# The demo IdP's access tokens live 1 h here so that no refresh happens during the run
# (default 6 min, minus the default min_validity of 60 s, would end the "valid token" case mid-run).
java ${JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" \
  --broker.embedded-postgres.data-directory="$WORK/postgres" --broker.crypto.kek.generate-into="$WORK/kek" \
  --broker.demo.enabled=true --broker.demo.idp-port="$IDP_PORT" --broker.demo.access-token-ttl=1h \
  --logging.level.root=WARN ${BROKER_ARGS:-} >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!; echo "$BROKER_PID" > "$WORK/pid"  # for live/cpu.sh
LAUNCHED="$(date +%s%N)"
for _ in $(seq 1 "${READY_TIMEOUT:-${START_TIMEOUT:-300}}"); do
  if curl -fsS "$BASE/actuator/health/readiness" 2>/dev/null | grep -q UP; then break; fi
  kill -0 "$BROKER_PID" 2>/dev/null || { say "broker exited"; tail -50 "$WORK/broker.log" >&2; exit 1; }
  sleep 1
done
curl -fsS "$BASE/actuator/health/readiness" | grep -q UP || { say "broker not ready"; exit 1; }
say "broker ready"

TOKEN="$(curl -fsS -u "$DEMO_CLIENT:$DEMO_SECRET" -d grant_type=client_credentials "$BASE/oauth2/token" | jq -r .access_token)"

# Link: connect session → connect URL → demo IdP login form → broker callback → /demo/linked.
CONNECT_URL="$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"userId\":\"$USER_ID\",\"connector\":\"demo\",\"returnTo\":\"$BASE/demo/linked\"}" \
  "$BASE/v1/connect-sessions" | jq -r .connectUrl)"
AUTHORIZE="$(curl -sS -o /dev/null -w '%{redirect_url}' "$CONNECT_URL")"
CALLBACK="$(curl -sS -o /dev/null -w '%{redirect_url}' --data-urlencode "username=bench-upstream" -d "claims=" "$AUTHORIZE")"
RETURNED="$(curl -sS -o /dev/null -w '%{redirect_url}' "$CALLBACK")"
[[ "$RETURNED" == *status=linked* ]] || { say "linking failed: $RETURNED"; exit 1; }
say "linked: $RETURNED"

TOKEN_PATH="/v1/users/$USER_ID/connections/demo/token"
for _ in $(seq 1 100); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$TOKEN_PATH")" == 200 ]] && break
  sleep 0.1
done
[[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$TOKEN_PATH")" == 200 ]] \
  || { say "token endpoint never answered 200"; exit 1; }

# The user's own token from the demo app's login (sub = client_id for the mock's client_credentials; 1 h).
SUBJECT_TOKEN="$(curl -fsS -d grant_type=client_credentials -d client_id="$USER_ID" -d client_secret=any \
  -d scope=token-broker "http://localhost:$IDP_PORT/app/token" | jq -r .access_token)"
EXCHANGE_BODY="grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=$SUBJECT_TOKEN"
EXCHANGE_BODY="$EXCHANGE_BODY&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"
EXCHANGE_BODY="$EXCHANGE_BODY&resource=urn%3Atoken-broker%3Aconnector%3Ademo"
cat > "$WORK/exchange.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $(printf '%s:%s' "$DEMO_CLIENT" "$DEMO_SECRET" | base64 -w0)"
wrk.body = "$EXCHANGE_BODY"
LUA

declare -A PATHS=(
  [token]="$TOKEN_PATH"
  [connections]="/v1/users/$USER_ID/connections"
  [auth-only]="/v1/users/$USER_ID/connections/github/token"
  [exchange]="/oauth2/token"
)
declare -A EXPECT=([token]=200 [connections]=200 [auth-only]=403 [exchange]=200)
read -r -a ORDER <<< "${ENDPOINTS:-token exchange connections auth-only}"

for name in "${ORDER[@]}"; do
  if [[ "$name" == exchange ]]; then
    code="$(curl -s -o /dev/null -w '%{http_code}' -u "$DEMO_CLIENT:$DEMO_SECRET" --data "$EXCHANGE_BODY" "$BASE${PATHS[$name]}")"
  else
    code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE${PATHS[$name]}")"
  fi
  [[ "$code" == "${EXPECT[$name]}" ]] || { say "$name answered $code, expected ${EXPECT[$name]}"; exit 1; }
done

# wrk's Lua hook counts non-2xx/3xx answers: the 403 of auth-only is expected and is reported as such.
run_wrk() { # name connections duration
  if [[ "$1" == exchange ]]; then
    wrk -t "$THREADS" -c "$2" -d "$3" --latency -s "$WORK/exchange.lua" "$BASE${PATHS[$1]}"
  else
    wrk -t "$THREADS" -c "$2" -d "$3" --latency -H "Authorization: Bearer $TOKEN" "$BASE${PATHS[$1]}"
  fi
}
summary() { # wrk output → "p50 p99 rps errors"
  awk '/^ +50%/{p50=$2} /^ +99%/{p99=$2} /^Requests\/sec/{rps=$2} /Non-2xx/{err=$NF} /Socket errors/{sock=$0}
       END{printf "p50=%-9s p99=%-9s rps=%-9s non2xx=%-6s%s", p50, p99, rps, (err==""?0:err), sock}'
}

# CPU time (ms) of the broker JVM plus its embedded PostgreSQL (postmaster and backends, reaped ones included):
# CPU per request is the number that stays meaningful when other work shares the cores; latency does not.
cpu_ms() { "$ROOT/benchmarks/token-fetch/live/cpu.sh" "$WORK"; }

# Time to steady state (issue 17): saturating load on the token endpoint right after the link, in 2 s slices,
# STEADY seconds long; prints seconds since the JVM was launched and the throughput of each slice.
if [[ -n "${STEADY:-}" ]]; then
  echo "steady-state run: JAVA_OPTS=${JAVA_OPTS:-none}, ready after $(( ($(date +%s%N) - LAUNCHED) / 1000000 )) ms, load $(cut -d' ' -f1-3 /proc/loadavg)"
  end=$(( $(date +%s) + STEADY ))
  while (( $(date +%s) < end )); do
    rps="$(run_wrk token "$CONNECTIONS" 2s | awk '/^Requests\/sec/{printf "%d", $2}')"
    echo "t=$(( ($(date +%s%N) - LAUNCHED) / 1000000 ))ms rps=$rps"
  done | tee "$WORK/steady.txt"
  # steady = mean of the last 5 slices; time to 90 %: end of the first slice from which on the throughput stays >= 90 %
  awk '{split($1,t,"="); split($2,r,"="); ts[NR]=t[2]+0; rs[NR]=r[2]+0} END {
         for (i = NR - 4; i <= NR; i++) s += rs[i]; s /= 5; first = NR;
         for (i = NR; i >= 1 && rs[i] >= 0.9 * s; i--) first = i;
         printf "steady %d/s (mean of the last 5 slices); >= 90 %% of it from t=%d ms on\n", s, ts[first] }' "$WORK/steady.txt"
  exit 0
fi

say "warming up (${WARMUP} per endpoint, $CONNECTIONS connections)"
for name in "${ORDER[@]}"; do run_wrk "$name" "$CONNECTIONS" "$WARMUP" >/dev/null; done

# Background work (event processors polling, the refresh scheduler, JIT) is subtracted at this rate.
idle_before="$(cpu_ms)"; sleep 5; IDLE_MS_PER_S="$(( ($(cpu_ms) - idle_before) / 5 ))"

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "broker settings added: ${BROKER_ARGS:-none}"
echo "java: $(java -version 2>&1 | head -1); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: $THREADS thread(s), $DURATION per run, rounds interleave the endpoints (ROUNDS=$ROUNDS)"
echo "idle CPU of broker + PostgreSQL: ${IDLE_MS_PER_S} ms/s (subtracted from cpu/req)"
for round in $(seq 1 "$ROUNDS"); do
  for conns in $([[ "${CONC_ONLY:-0}" == 1 ]] || echo 1) "$CONNECTIONS"; do
    for name in "${ORDER[@]}"; do
      tag="$name-c$conns-r$round"
      [[ "${PROFILE:-0}" == "1" ]] && jcmd "$BROKER_PID" JFR.start name="$tag" settings=profile \
        filename="$WORK/$tag.jfr" >/dev/null
      before="$(cpu_ms)"; started="$(date +%s%N)"
      out="$(run_wrk "$name" "$conns" "$DURATION")"
      after="$(cpu_ms)"; elapsed_ms="$(( ($(date +%s%N) - started) / 1000000 ))"
      [[ "${PROFILE:-0}" == "1" ]] && jcmd "$BROKER_PID" JFR.stop name="$tag" >/dev/null
      echo "$out" > "$WORK/wrk-$tag.txt"
      requests="$(echo "$out" | awk '/requests in/{print $1}')"
      printf 'round %s %-12s c=%-3s %s cpu/req=%sus\n' "$round" "$name" "$conns" "$(echo "$out" | summary)" \
        "$(( (after - before - IDLE_MS_PER_S * elapsed_ms / 1000) * 1000 / (requests > 0 ? requests : 1) ))"
    done
  done
done
# Latency below saturation (issue 17): constant rate at RATE_FRACTION (e.g. 0.5) of the best token c=$CONNECTIONS
# throughput measured above, open model, latency from each request's due time (ConstantRate.java).
if [[ -n "${RATE_FRACTION:-}" ]]; then
  best="$(cat "$WORK"/wrk-token-c"$CONNECTIONS"-r*.txt | awk '/^Requests\/sec/{if ($2 > m) m = $2} END {printf "%d", m}')"
  rate="$(awk -v b="$best" -v f="$RATE_FRACTION" 'BEGIN {printf "%d", b * f}')"
  before="$(cpu_ms)"; started="$(date +%s%N)"
  out="$(java "$ROOT/benchmarks/token-fetch/ConstantRate.java" "$BASE$TOKEN_PATH" "$TOKEN" "$rate" "${RATE_SECONDS:-30}" "$CONNECTIONS" 5)"
  after="$(cpu_ms)"; elapsed_ms="$(( ($(date +%s%N) - started) / 1000000 ))"
  requests="$(awk -v r="$rate" -v s="${RATE_SECONDS:-30}" 'BEGIN {printf "%d", r * (s + 5)}')"
  echo "constant rate $rate/s = $RATE_FRACTION x best $best/s (load $(cut -d' ' -f1-3 /proc/loadavg)):"
  echo "$out"
  echo "  cpu/req=$(( (after - before - IDLE_MS_PER_S * elapsed_ms / 1000) * 1000 / (requests > 0 ? requests : 1) ))us"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
