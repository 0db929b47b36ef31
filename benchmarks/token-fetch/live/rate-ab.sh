#!/bin/bash
# interleaved constant-rate runs: RATE ROUNDS name:WORK:PORT ...
RATE=$1; ROUNDS=$2; shift 2
for r in $(seq 1 $ROUNDS); do for spec in "$@"; do IFS=: read -r n w p <<< "$spec"
  for o in "$@"; do IFS=: read -r on ow op <<< "$o"; if [[ $ow == $w ]]; then kill -CONT $(cat $ow/pid); else kill -STOP $(cat $ow/pid); fi; done
  echo "round $r $n $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg): $(live/rate.sh $w $p $RATE 30 | grep -E 'latency|machine' | tr '\n' ' ')"
done; done
for o in "$@"; do IFS=: read -r on ow op <<< "$o"; kill -CONT $(cat $ow/pid); done
