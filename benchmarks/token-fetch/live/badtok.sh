#!/bin/bash
# CPU per request of a flood of invalid (tampered signature) API tokens, per broker: WORK:PORT ...
for r in 1 2; do for spec in "$@"; do IFS=: read -r w p <<< "$spec"
  for o in "$@"; do IFS=: read -r ow op <<< "$o"; if [[ $ow == $w ]]; then kill -CONT $(cat $ow/pid); else kill -STOP $(cat $ow/pid); fi; done
  t=$(cat $w/token); bad="${t%?}$( [[ ${t: -1} == A ]] && echo B || echo A)"
  url="http://localhost:$p/v1/users/bench-user/connections/demo/token"
  wrk -t1 -c8 -d8s -H "Authorization: Bearer $bad" "$url" >/dev/null
  c0=$(live/cpu.sh $w); out=$(wrk -t1 -c8 -d15s -H "Authorization: Bearer $bad" "$url"); c1=$(live/cpu.sh $w)
  n=$(echo "$out" | awk '/requests in/{print $1}')
  echo "round $r $w bad-token rps=$(echo "$out" | awk '/^Requests\/sec/{print $2}') non2xx=$(echo "$out" | awk '/Non-2xx/{print $NF}') cpu/req=$(( (c1 - c0) * 1000 / n ))us"
done; done
for o in "$@"; do IFS=: read -r ow op <<< "$o"; kill -CONT $(cat $ow/pid); done
