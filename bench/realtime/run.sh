#!/usr/bin/env bash
# Realtime benchmark (issue 6): bash bench/realtime/run.sh
#
# Builds the jar (BENCH_BUILD=0 to reuse it), starts Spool on a fresh database on
# 127.0.0.1:$BENCH_PORT (default 18086; management port +1000), compiles RealtimeBench.java
# together with bench/lifecycle/LifecycleLoad.java and runs it: the lifecycle benchmark's steady
# scenario without any stream open, then with 200 job streams and 5 space streams open, after a
# warm-up. Prints the throughput of both runs, the event -> frame latency and the frames lost.
# Drops the database at the end. All traffic goes to 127.0.0.1; every phase is bounded in time.
# Env: BENCH_SECONDS (30) per run, BENCH_WARMUP (60: the JIT settles after about a minute of load), BENCH_PROBE_MS (20), BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${BENCH_PORT:-18086}
MGMT=${BENCH_MANAGEMENT_PORT:-$((PORT + 1000))}
BUILD=${BENCH_BUILD:-1}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
JAR=target/spool-0.1.0.jar
CLASSES=target/bench-realtime
OUT=bench/out
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOG="$OUT/realtime-spool-$STAMP.log"
DB="spool_realtime_$(date +%s)_$$"
ADMIN=emit_bench-admin-key-0123456789abcdefghijkl
SPOOL_PID=

cleanup() {
  if [ -n "$SPOOL_PID" ]; then kill "$SPOOL_PID" 2>/dev/null || true; wait "$SPOOL_PID" 2>/dev/null || true; fi
  psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  echo "building $JAR"
  ./mvnw -q -B -DskipTests package
fi
rm -rf "$CLASSES"
javac -d "$CLASSES" bench/lifecycle/LifecycleLoad.java bench/realtime/RealtimeBench.java

psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null
echo "starting Spool on 127.0.0.1:$PORT against database $DB (log: $LOG)"
SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB" \
SPRING_DATASOURCE_USERNAME="$PGUSER" SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" \
SPOOL_ADMIN_KEY=$ADMIN SPOOL_RATE_LIMIT_PER_KEY=0 \
  java ${BENCH_JAVA_OPTS:--Xms512m -Xmx1g} -jar "$JAR" \
    --server.address=127.0.0.1 --server.port="$PORT" \
    --management.server.address=127.0.0.1 --management.server.port="$MGMT" ${BENCH_SPOOL_ARGS:-} >"$LOG" 2>&1 &
SPOOL_PID=$!
for _ in $(seq 1 180); do
  if curl -fs "http://127.0.0.1:$MGMT/actuator/health/readiness" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SPOOL_PID" 2>/dev/null; then echo "Spool exited; see $LOG" >&2; exit 1; fi
  sleep 1
done
curl -fs "http://127.0.0.1:$MGMT/actuator/health/readiness" >/dev/null

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
java -Xmx512m -cp "$CLASSES" RealtimeBench "$PORT" "$ADMIN" "$SPOOL_PID"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
