#!/bin/bash
# start a broker jar (JAR) on PORT/IDP_PORT in WORK, link bench-user, write token + pid files. Run under heavy.
set -euo pipefail
: "${JAR:?}" "${PORT:?}" "${IDP_PORT:?}" "${WORK:?}"
BASE="http://localhost:$PORT"; USER_ID=bench-user
mkdir -p "$WORK"
java ${JAVA_OPTS:-} -jar "$JAR" --server.port="$PORT" \
  --broker.embedded-postgres.data-directory="$WORK/postgres" --broker.crypto.kek.generate-into="$WORK/kek" \
  --broker.demo.enabled=true --broker.demo.idp-port="$IDP_PORT" --broker.demo.access-token-ttl=1h \
  --logging.level.root=WARN ${BROKER_ARGS:-} >"$WORK/broker.log" 2>&1 &
echo $! > "$WORK/pid"; LAUNCHED=$(date +%s%N)
for _ in $(seq 1 600); do curl -fsS "$BASE/actuator/health/readiness" 2>/dev/null | grep -q UP && break; sleep 0.2; done
echo "ready after $(( ($(date +%s%N) - LAUNCHED) / 1000000 )) ms" > "$WORK/ready.txt"
TOKEN="$(curl -fsS -u demo-app:demo-secret-for-local-use-only -d grant_type=client_credentials "$BASE/oauth2/token" | jq -r .access_token)"
echo "$TOKEN" > "$WORK/token"
CONNECT_URL="$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"userId\":\"$USER_ID\",\"connector\":\"demo\",\"returnTo\":\"$BASE/demo/linked\"}" "$BASE/v1/connect-sessions" | jq -r .connectUrl)"
AUTHORIZE="$(curl -sS -o /dev/null -w '%{redirect_url}' "$CONNECT_URL")"
CALLBACK="$(curl -sS -o /dev/null -w '%{redirect_url}' --data-urlencode "username=bench-upstream" -d "claims=" "$AUTHORIZE")"
RETURNED="$(curl -sS -o /dev/null -w '%{redirect_url}' "$CALLBACK")"
[[ "$RETURNED" == *status=linked* ]] || { echo "linking failed: $RETURNED"; exit 1; }
for _ in $(seq 1 100); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/v1/users/$USER_ID/connections/demo/token")" == 200 ]] && break; sleep 0.1
done
echo "linked; $(cat $WORK/ready.txt)"
