#!/bin/bash
# Constant-rate latency (ConstantRate.java, latency from the due time) against a running broker: WORK PORT RATE [S=30]
# Also prints the machine's CPU use over the run: on 2 cores the client's own CPU counts toward the queueing.
HERE="$(cd "$(dirname "$0")" && pwd)"; W=$1; P=$2; RATE=$3; S=${4:-30}
"$HERE/token.sh" "$W" "$P"; url="http://localhost:$P/v1/users/bench-user/connections/demo/token"
wrk -t1 -c8 -d20s -H "Authorization: Bearer $(cat "$W/token")" "$url" >/dev/null   # re-warm
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
c0=$("$HERE/cpu.sh" "$W"); read -r b0 t0 <<< "$(busy)"
java ${CLIENT_OPTS:-} "$HERE/../ConstantRate.java" "$url" "$(cat "$W/token")" "$RATE" "$S" 8 5
c1=$("$HERE/cpu.sh" "$W"); read -r b1 t1 <<< "$(busy)"
echo "cpu/req raw=$(( (c1 - c0) * 1000 / (RATE * (S + 5)) ))us (broker + PostgreSQL; includes the client's compile time)"
echo "machine busy $(( (b1 - b0) * 100 / (t1 - t0) ))% of $(nproc) cores over the run (broker + PostgreSQL $(( (c1 - c0) * 100 / ((t1 - t0) * 1000 / $(getconf CLK_TCK)) ))% of the machine; the rest is mostly the client)"
