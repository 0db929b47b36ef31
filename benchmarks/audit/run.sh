#!/usr/bin/env bash
# Audit API benchmarks of issue 13, one command: benchmarks/audit/run.sh [export,connections,state]
#
# Runs AuditBenchmark (JUnit, tagged "benchmark", excluded from the default build) with C2 (the default test argLine
# is C1 only) on the broker-api test context (embedded PostgreSQL, real HTTP). The data set is built in SQL from real
# stored events each run (1,000,000 events in ~ a minute of PostgreSQL CPU). Lines starting with BENCHMARK are the
# results; they are shown while it runs and appended to benchmarks/audit/target/results.txt with the date and load.
#   env: EVENTS (export, default 1000000), LAYOUT (export: contiguous = each token set's events together, or
#        interleaved = all first events, then all second events, ...), TOKEN_SETS (connections, default 100000), XMX (heap, default 256m: the
#        export must stream in constant memory), PROFILE=1 (JFR into benchmarks/audit/target/audit.jfr),
#        MVN_ARGS (more Maven arguments, e.g. -o)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PARTS="${1:-export,connections,state}"
TARGET="$ROOT/benchmarks/audit/target"
mkdir -p "$TARGET"
OUT="$TARGET/$(echo "$PARTS" | tr ',' '-').out"
ARGLINE="-Xshare:auto -Xmx${XMX:-256m}"
if [[ "${PROFILE:-0}" == "1" ]]; then
  ARGLINE="$ARGLINE -XX:StartFlightRecording=filename=$TARGET/audit.jfr,settings=profile"
fi
echo "run.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ) parts=$PARTS load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT"
tail -n +1 -F "$OUT" 2>/dev/null | grep --line-buffered '^BENCHMARK' &
TAIL_PID=$!
trap 'kill $TAIL_PID 2>/dev/null || true' EXIT
cd "$ROOT"
# shellcheck disable=SC2086
./mvnw -B -q -pl broker-api -am test -Dtest=AuditBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbroker.test.excludedGroups=none -Dgroups=benchmark -Dbroker.test.argLine="$ARGLINE" \
  -Daudit.benchmark.measure="$PARTS" -Daudit.benchmark.events="${EVENTS:-1000000}" \
  -Daudit.benchmark.token-sets="${TOKEN_SETS:-100000}" -Daudit.benchmark.layout="${LAYOUT:-contiguous}" \
  -Dbenchmark.reportFile="$OUT" ${MVN_ARGS:-}
sleep 1
echo "run.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ) load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
cat "$OUT" >> "$TARGET/results.txt"
