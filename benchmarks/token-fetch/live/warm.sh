#!/bin/bash
# JIT warm-up of running brokers: Args: SECONDS WORK:PORT...
S=$1; shift
for r in 1 2; do for spec in "$@"; do IFS=: read -r w p <<< "$spec"
  wrk -t1 -c8 -d${S}s -H "Authorization: Bearer $(cat $w/token)" "http://localhost:$p/v1/users/bench-user/connections/demo/token" | grep Requests/sec
done; done
