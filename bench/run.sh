#!/usr/bin/env bash
# Spool benchmarks. Usage: bash bench/run.sh [create]   (see bench/README.md)
#
# Starts the built Spool jar on a fresh database on 127.0.0.1:$BENCH_PORT, measures, stops it,
# runs pgbench -N on a scratch database for reference, drops both databases and prints the
# figures side by side. All traffic goes to 127.0.0.1; every phase is bounded in time and count.
set -euo pipefail
cd "$(dirname "$0")/.."

WHAT=${1:-create}
PORT=${BENCH_PORT:-18081}
SECS=${BENCH_SECONDS:-15}
WARMUP=${BENCH_WARMUP:-10}
BUILD=${BENCH_BUILD:-1}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
JAR=target/spool-0.1.0.jar
OUT=bench/out
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
LOG="$OUT/spool-$STAMP.log"
DB="spool_bench_$(date +%s)_$$"
PGB_DB="pgbench_$(date +%s)_$$"
SPOOL_PID=

if [ "$WHAT" != create ]; then
  echo "unknown benchmark '$WHAT' (known: create)" >&2
  exit 2
fi

cleanup() {
  if [ -n "$SPOOL_PID" ]; then kill "$SPOOL_PID" 2>/dev/null || true; wait "$SPOOL_PID" 2>/dev/null || true; fi
  psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$PGB_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  echo "building $JAR"
  ./mvnw -q -B -DskipTests package
fi

psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null
echo "starting Spool on 127.0.0.1:$PORT against database $DB (log: $LOG)"
SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB" \
SPRING_DATASOURCE_USERNAME="$PGUSER" SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" \
SPOOL_ADMIN_KEY=emit_bench-admin-key-0123456789abcdefghijkl SPOOL_RATE_LIMIT_PER_KEY=0 \
  java ${BENCH_JAVA_OPTS:--Xms512m -Xmx1g} -jar "$JAR" \
    --server.address=127.0.0.1 --server.port="$PORT" \
    --management.server.address=127.0.0.1 --management.server.port="$((PORT + 1000))" ${BENCH_SPOOL_ARGS:-} >"$LOG" 2>&1 &
SPOOL_PID=$!
for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$((PORT + 1000))/actuator/health/readiness" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SPOOL_PID" 2>/dev/null; then echo "Spool exited; see $LOG" >&2; exit 1; fi
  sleep 1
done
curl -fs "http://127.0.0.1:$((PORT + 1000))/actuator/health/readiness" >/dev/null

ADMIN=emit_bench-admin-key-0123456789abcdefghijkl
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }
SPACE=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces" -H "x-api-key: $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | json id)
KEY=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces/$SPACE/keys" -H "x-api-key: $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench","scopes":["jobs:create"]}' | json key)

load() { java bench/CreateLoad.java "$1" "$PORT" "$SPACE" "$KEY" "$2" "$3" "$4"; }

echo "warming up for $((WARMUP * 2)) s (JIT, pools)"
load single 16 "$WARMUP" 100000 >/dev/null
load bulk 2 "$WARMUP" 200 >/dev/null

echo "bulk create: 1000 jobs per request, 2 clients, ${SECS}s (max 600 requests)"
BULK=$(load bulk 2 "$SECS" 600)
echo "  $BULK"
echo "single create: 16 clients, ${SECS}s (max 200000 requests)"
SINGLE=$(load single 16 "$SECS" 200000)
echo "  $SINGLE"

STORED=$(psql -tA -d "$DB" -c "SELECT count(*) FROM jobs")
kill "$SPOOL_PID"; wait "$SPOOL_PID" 2>/dev/null || true; SPOOL_PID=

echo "pgbench -N: 16 clients, 2 threads, ${SECS}s on a scratch database (scale 10)"
psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$PGB_DB\"" >/dev/null
pgbench -q -i -s 10 "$PGB_DB" >/dev/null 2>&1
PGB=$(pgbench -N -c 16 -j 2 -T "$SECS" "$PGB_DB" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n1)

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
echo
echo "=== Spool create benchmark ($STAMP, $(nproc) cores, jobs stored: $STORED) ==="
printf '%-34s %s\n' "bulk create (1000/request)" "$(field jobs_per_s "$BULK") jobs/s ($(field req_per_s "$BULK") req/s, p50 $(field p50_ms "$BULK") ms, p99 $(field p99_ms "$BULK") ms, failures $(field failures "$BULK"))"
printf '%-34s %s\n' "single create (16 clients)" "$(field req_per_s "$SINGLE") req/s (p50 $(field p50_ms "$SINGLE") ms, p99 $(field p99_ms "$SINGLE") ms, max $(field max_ms "$SINGLE") ms, failures $(field failures "$SINGLE"))"
printf '%-34s %s\n' "pgbench -N (16 clients)" "${PGB:-?} tps"
printf '%-34s %s\n' "goals" "bulk >= 30000 jobs/s; single >= 1800 req/s with p99 <= 50 ms"
