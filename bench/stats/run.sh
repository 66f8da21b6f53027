#!/usr/bin/env bash
# Charts of a busy space over 24 h (issue 15): fills 24 hours of per-minute job_stats rows for one
# space (a benchmark fixture written with SQL: 1,440 rows with realistic counts and wait/run-time
# histograms), then measures
#   1. GET /spaces/:id/stats?from=<now-24h>&step=1m (1,441 points) and &step=5m (the page's 24 h
#      range): p50/p99 of STATS_REQUESTS requests each, after a warm-up;
#   2. in headless Chromium, the time from opening the space page with the 24 h range to all three
#      charts having drawn their points (performance.now() in the page, i.e. from navigation
#      start), over STATS_PAGE_LOADS fresh page loads.
# Usage: bench/stats/run.sh   (BENCH_BUILD=0 reuses target/spool-0.1.0.jar)
# Needs chromium and chromedriver on PATH. Talks to 127.0.0.1 only; Spool and the database made
# here are stopped and dropped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh

REQUESTS=${STATS_REQUESTS:-50}
LOADS=${STATS_PAGE_LOADS:-10}
PORT=$(free_port "${BENCH_PORT:-18480}")
MGMT=$((PORT + 1000))
DB="spool_bench_stats_$$"
LOG="$OUT/stats-spool-$STAMP.log"
BASE="http://127.0.0.1:$PORT"

build_jar
new_db "$DB"
start_spool "$DB" "$PORT" "$MGMT" "$LOG"

SPACE=$(curl -fsS -m 10 -X POST "$BASE/api/v1/spaces" -H "x-api-key: $ADMIN" \
  -H 'content-type: application/json' -d '{"name":"Busy space"}' | json id)
echo "space $SPACE"

# 24 h of minutes up to the current one: ~600-1,400 jobs created a minute in a daily wave, nearly
# all delivered and completed, some retried/dead/killed, a backlog that swells and drains, and
# wait/run histograms spread over 8-12 buckets around a few ms to a few seconds
psql -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL
INSERT INTO job_stats (space_id, minute, created, delivered, completed, retried, dead, killed,
                       backlog, wait_hist, run_hist)
SELECT '$SPACE', m.minute, c.created, c.created - 3, c.created - 8, (random() * 30)::int,
       (random() * 4)::int, (random() * 2)::int,
       (200 + 150 * sin(m.i / 90.0) + random() * 50)::bigint,
       (SELECT jsonb_object_agg(b, (random() * c.created / 4)::int)
          FROM generate_series(8 + (m.i % 3), 18 + (m.i % 3)) b),
       (SELECT jsonb_object_agg(b, (random() * c.created / 4)::int)
          FROM generate_series(30, 40 + (m.i % 5)) b)
  FROM (SELECT i, date_trunc('minute', now()) - (1439 - i) * interval '1 minute' AS minute
          FROM generate_series(0, 1439) i) m
 CROSS JOIN LATERAL (SELECT (1000 + 400 * sin(m.i / 229.0) + random() * 100)::int AS created) c
ON CONFLICT (space_id, minute) DO NOTHING;
VACUUM (ANALYZE) job_stats;
SQL
echo "job_stats rows: $(psql -Atq -d "$DB" -c "SELECT count(*) FROM job_stats WHERE space_id = '$SPACE'")"

# time_stats STEP: p50/p99 (ms) of REQUESTS stats reads over the last 24 h
time_stats() {
  local step=$1 from
  from=$(date -u -d '-24 hours' +%Y-%m-%dT%H:%M:%SZ)
  local url="$BASE/api/v1/spaces/$SPACE/stats?from=$from&step=$step"
  local points
  points=$(curl -fsS -m 10 -H "x-api-key: $ADMIN" "$url" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["points"]))')
  for _ in $(seq 1 10); do curl -fsS -m 10 -o /dev/null -H "x-api-key: $ADMIN" "$url"; done
  for _ in $(seq 1 "$REQUESTS"); do
    curl -fsS -m 10 -o /dev/null -w '%{time_total}\n' -H "x-api-key: $ADMIN" "$url"
  done | python3 -c '
import sys, statistics
t = sorted(float(x) * 1000 for x in sys.stdin)
q = lambda p: t[min(len(t) - 1, int(round(p * (len(t) - 1))))]
print(f"stats step='"$step"' points='"$points"' n={len(t)} p50={q(0.5):.1f} ms p99={q(0.99):.1f} ms max={t[-1]:.1f} ms")'
}
time_stats 1m
time_stats 5m

# The page in headless Chromium, driven through chromedriver's W3C WebDriver API
DRIVER_PORT=$(free_port $((PORT + 7)))
chromedriver --port="$DRIVER_PORT" --allowed-ips=127.0.0.1 >"$OUT/stats-chromedriver-$STAMP.log" 2>&1 &
DRIVER_PID=$!
trap 'kill $DRIVER_PID 2>/dev/null || true; bench_cleanup' EXIT
for _ in $(seq 1 50); do listening "$DRIVER_PORT" && break; sleep 0.2; done
timeout 300 python3 bench/stats/page.py "http://127.0.0.1:$DRIVER_PORT" "$BASE" "$ADMIN" "$SPACE" "$LOADS"
echo "machine: $(nproc) cores, $(python3 -c 'import platform; print(platform.processor() or platform.machine())'), $(psql -Atq -d postgres -c 'SHOW server_version') ; $(date -u +%FT%TZ)"
