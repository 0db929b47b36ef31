#!/usr/bin/env bash
# Scale benchmarks of issue 11, one command each; results are appended to benchmarks/scale/RESULTS.md.
#
#   benchmarks/scale/run.sh refresh-cost   forced refresh through the RefreshCoordinator, streams of 10 / 1,000 / 20,000 events
#   benchmarks/scale/run.sh append         event append through Axon vs a raw JDBC batch insert of the same rows
#   benchmarks/scale/run.sh growth         stored bytes per event / snapshot / schedule row from a realistic run
#   benchmarks/scale/run.sh replay         rebuild of all read models from EVENTS (1,000,000) events vs a raw SELECT scan
#   benchmarks/scale/run.sh scheduler      10,000 token sets due at once against a 20 ms IdP simulation, 2 instances
#
# Each is a JUnit test tagged "benchmark" (excluded from the default build through broker.test.excludedGroups),
# run with C2 (the default test argLine is C1 only) and -Xmx1g. Lines starting with BENCHMARK are the results;
# they are shown while the benchmark runs and appended to RESULTS.md with the machine and the load average.
#   env: EVENTS (replay, default 1000000), TOKEN_SETS (scheduler, default 10000), LINKS_PER_SECOND (scheduler: the
#        due instant is set this many links per second after the start, default 50), PROFILE=1 (JFR recording into
#        benchmarks/scale/target/<name>.jfr), MVN_ARGS (more Maven arguments, e.g. -o or -Dscale.refresh.rounds=3)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
NAME="${1:-}"
case "$NAME" in
  refresh-cost) MODULE=broker-core; TEST='ScaleBenchmark#refreshCostAgainstStreamLength'; CLASS=dev.tokenbroker.core.refresh.ScaleBenchmark ;;
  append)       MODULE=broker-core; TEST='ScaleBenchmark#appendRateAgainstRawJdbc'; CLASS=dev.tokenbroker.core.refresh.ScaleBenchmark ;;
  growth)       MODULE=broker-core; TEST='ScaleBenchmark#storedBytesPerEvent'; CLASS=dev.tokenbroker.core.refresh.ScaleBenchmark ;;
  replay)       MODULE=projections; TEST='ReplayBenchmark'; CLASS=dev.tokenbroker.projections.ReplayBenchmark ;;
  scheduler)    MODULE=broker-core; TEST='RefreshThroughputBenchmark#refreshesPerSecondAndScheduleLag'; CLASS=dev.tokenbroker.core.refresh.RefreshThroughputBenchmark ;;
  *) echo "usage: $0 refresh-cost|append|growth|replay|scheduler" >&2; exit 2 ;;
esac
OUT="$ROOT/benchmarks/scale/target/$NAME.out"
ARGLINE="-Xshare:auto -Xmx1g"
if [[ "${PROFILE:-0}" == "1" ]]; then
  mkdir -p "$ROOT/benchmarks/scale/target"
  ARGLINE="$ARGLINE -XX:StartFlightRecording=filename=$ROOT/benchmarks/scale/target/$NAME.jfr,settings=profile"
fi
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED="$(date -u +%Y-%m-%dT%H:%MZ)"
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
touch "$OUT"
tail -n +1 -F "$OUT" 2>/dev/null | grep --line-buffered '^BENCHMARK' &
TAIL_PID=$!
trap 'kill $TAIL_PID 2>/dev/null || true' EXIT
cd "$ROOT"
# shellcheck disable=SC2086
./mvnw -B -q -pl "$MODULE" -am test -Dtest="$TEST" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbroker.test.excludedGroups=none -Dbroker.test.argLine="$ARGLINE" \
  -Dreplay.benchmark.events="${EVENTS:-1000000}" -Drefresh.benchmark.tokenSets="${TOKEN_SETS:-10000}" \
  -Drefresh.benchmark.linksPerSecond="${LINKS_PER_SECOND:-50}" -Dbenchmark.reportFile="$OUT" ${MVN_ARGS:-}
sleep 1
{
  echo
  echo "### $NAME — $STARTED"
  echo
  echo "\`benchmarks/scale/run.sh $NAME\` ${MVN_ARGS:-} (EVENTS=${EVENTS:-1000000}, TOKEN_SETS=${TOKEN_SETS:-10000}) on $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1); load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo '```'
  grep '^BENCHMARK' "$OUT" || echo "(no BENCHMARK lines: see $ROOT/$MODULE/target/surefire-reports/$CLASS-output.txt)"
  echo '```'
} >> "$ROOT/benchmarks/scale/RESULTS.md"
echo "run.sh: appended to benchmarks/scale/RESULTS.md" >&2
