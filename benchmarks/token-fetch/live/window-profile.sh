#!/bin/bash
# JFR profile of a running broker (serve.sh) at 8 connections: WORK PORT NAME.
# Starting JFR in a running JVM instruments classes and deoptimises the hot path (on 2 cores the JIT then needs
# tens of seconds), so the recording starts 40 s before the measured 20 s window, and only the window is dumped.
HERE="$(cd "$(dirname "$0")" && pwd)"; W=$1; P=$2; NAME=$3; pid=$(cat "$W/pid")
"$HERE/token.sh" "$W" "$P"; url="http://localhost:$P/v1/users/bench-user/connections/demo/token"
jcmd "$pid" JFR.start name=window settings=profile >/dev/null
wrk -t1 -c8 -d40s -H "Authorization: Bearer $(cat "$W/token")" "$url" >/dev/null
begin=$(date -u +%H:%M:%S)
wrk -t1 -c8 -d20s -H "Authorization: Bearer $(cat "$W/token")" "$url" | grep -E "Requests/sec|Non-2xx"
end=$(date -u +%H:%M:%S)
jcmd "$pid" JFR.dump name=window begin="$begin" end="$end" filename="$W/$NAME-window.jfr" >/dev/null
jcmd "$pid" JFR.stop name=window >/dev/null
echo "profile $W/$NAME-window.jfr ($begin-$end UTC); benchmarks/token-fetch/jfr-top.py it"
