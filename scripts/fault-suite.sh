#!/usr/bin/env sh
# Process-level fault suite (issue 16): real broker processes (the built jar) on one embedded PostgreSQL,
# against a rotating IdP simulation. Heavy: run it alone. Results go to RELIABILITY.md.
#   scripts/fault-suite.sh                      # every scenario
#   scripts/fault-suite.sh '#postgresStopped*'  # one scenario (a JUnit method filter)
set -eu
cd "$(dirname "$0")/.."
if [ ! -f broker-api/target/token-broker.jar ] || [ "${REBUILD_JAR:-0}" = 1 ]; then
  ./mvnw -B -q ${MVN_OFFLINE:+-o} package -DskipTests -pl broker-api -am
fi
./mvnw -B ${MVN_OFFLINE:+-o} test -pl broker-api -am \
  -Dbroker.test.excludedGroups=benchmark -Dgroups=faults \
  -Dtest="ProcessFaultSuiteTest${1:-}" -Dsurefire.failIfNoSpecifiedTests=false
