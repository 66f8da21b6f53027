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
. bench/lib.sh
LOG="$OUT/spool-$STAMP.log"
DB="spool_bench_$(date +%s)_$$"
PGB_DB="pgbench_$(date +%s)_$$"

if [ "$WHAT" != create ]; then
  echo "unknown benchmark '$WHAT' (known: create)" >&2
  exit 2
fi

build_jar
new_db "$DB"
start_spool "$DB" "$PORT" "$((PORT + 1000))" "$LOG"

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
stop_spool

echo "pgbench -N: 16 clients, 2 threads, ${SECS}s on a scratch database (scale 10)"
new_db "$PGB_DB"
pgbench -q -i -s 10 "$PGB_DB" >/dev/null 2>&1
PGB=$(pgbench -N -c 16 -j 2 -T "$SECS" "$PGB_DB" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n1)

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
echo
echo "=== Spool create benchmark ($STAMP, $(nproc) cores, jobs stored: $STORED) ==="
printf '%-34s %s\n' "bulk create (1000/request)" "$(field jobs_per_s "$BULK") jobs/s ($(field req_per_s "$BULK") req/s, p50 $(field p50_ms "$BULK") ms, p99 $(field p99_ms "$BULK") ms, failures $(field failures "$BULK"))"
printf '%-34s %s\n' "single create (16 clients)" "$(field req_per_s "$SINGLE") req/s (p50 $(field p50_ms "$SINGLE") ms, p99 $(field p99_ms "$SINGLE") ms, max $(field max_ms "$SINGLE") ms, failures $(field failures "$SINGLE"))"
printf '%-34s %s\n' "pgbench -N (16 clients)" "${PGB:-?} tps"
printf '%-34s %s\n' "goals" "bulk >= 30000 jobs/s; single >= 1800 req/s with p99 <= 50 ms"
