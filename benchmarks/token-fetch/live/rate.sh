#!/bin/bash
# Constant-rate latency (ConstantRate.java, latency from the due time) against a running broker: WORK PORT RATE [S=30]
HERE="$(cd "$(dirname "$0")" && pwd)"; W=$1; P=$2; RATE=$3; S=${4:-30}
"$HERE/token.sh" "$W" "$P"; url="http://localhost:$P/v1/users/bench-user/connections/demo/token"
wrk -t1 -c8 -d20s -H "Authorization: Bearer $(cat "$W/token")" "$url" >/dev/null   # re-warm
c0=$("$HERE/cpu.sh" "$W")
java ${CLIENT_OPTS:-} "$HERE/../ConstantRate.java" "$url" "$(cat "$W/token")" "$RATE" "$S" 8 5
c1=$("$HERE/cpu.sh" "$W"); echo "cpu/req raw=$(( (c1 - c0) * 1000 / (RATE * (S + 5)) ))us (broker + PostgreSQL; includes the client's compile time)"
