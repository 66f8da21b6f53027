#!/usr/bin/env bash
# Realtime benchmark: builds Spool, starts it on a fresh local database, runs RealtimeBench.java
# (JDK single-file program) against it, stops it. Traffic stays on 127.0.0.1.
# Env: BENCH_SECONDS (30), BENCH_WORKERS (8), BENCH_PROBE_MS (20), PORT (18086).
set -euo pipefail
cd "$(dirname "$0")/../.."
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}; PGUSER=${PGUSER:-postgres}
PORT=${PORT:-18086}
DB="rtbench_$(date +%s)_$$"
ADMIN="emit_bench-admin-key-0123456789abcdefghijklmnopq"
psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qc "CREATE DATABASE \"$DB\""
APP_PID=
cleanup() {
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" || true
}
trap cleanup EXIT

[ -f target/spool-0.1.0.jar ] || ./mvnw -q -B -o package -DskipTests
mkdir -p target/bench-lib
unzip -o -q -j target/spool-0.1.0.jar 'BOOT-INF/lib/postgresql-*.jar' -d target/bench-lib
URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB"
java -jar target/spool-0.1.0.jar --server.port="$PORT" --management.server.port="$((PORT + 1000))" --spring.datasource.url="$URL" \
  --spring.datasource.username="$PGUSER" --spring.datasource.password= \
  --spool.admin-key="$ADMIN" > target/bench-realtime-app.log 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$((PORT + 1000))/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1
done
java -cp "$(ls target/bench-lib/postgresql-*.jar | head -n1)" bench/realtime/RealtimeBench.java \
  "http://127.0.0.1:$PORT" "$ADMIN" "$URL" "$PGUSER" ""
