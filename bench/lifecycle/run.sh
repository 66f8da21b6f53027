#!/usr/bin/env bash
# Lifecycle benchmark (issue 3): bash bench/lifecycle/run.sh
#
# Builds the jar (BENCH_BUILD=0 to reuse it), starts Spool on a fresh database on
# 127.0.0.1:$BENCH_PORT (default 18082), runs three scenarios, then pgbench -N on a scratch
# database in the same run, drops both databases and prints the figures. All traffic goes to
# 127.0.0.1; every phase is bounded in time and count. The per-key rate limit is turned off
# (SPOOL_RATE_LIMIT_PER_KEY=0): each scenario drives one key far past 1000 requests/s when fast.
#   (a) drain: 20,000 pre-created jobs, 8 workers (poll count 50, then ack + complete each)
#   (b) steady: 4 producers create single jobs (<= 200 undelivered) while 8 workers long-poll
#   (c) trickle: one job every 20 ms, 8 idle long-polling workers
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${BENCH_PORT:-18082}
SECS=${BENCH_SECONDS:-15}
# BENCH_SCENARIOS="a b" runs only those (default all three); BENCH_PGBENCH=0 skips pgbench
SCENARIOS=${BENCH_SCENARIOS:-a b c}
want() { [[ " $SCENARIOS " == *" $1 "* ]]; }
. bench/lib.sh
LOG="$OUT/lifecycle-spool-$STAMP.log"
DB="spool_lifecycle_$(date +%s)_$$"
export BENCH_DB=$DB  # LifecycleLoad counts only this database's backends (and shared processes)
PGB_DB="pgbench_lifecycle_$(date +%s)_$$"

build_jar
new_db "$DB"
start_spool "$DB" "$PORT" "$((PORT + 1000))" "$LOG"

space() {
  local id key
  id=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces" -H "x-api-key: $ADMIN" \
    -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}" | json id)
  key=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces/$id/keys" -H "x-api-key: $ADMIN" \
    -H 'Content-Type: application/json' -d '{"name":"bench","scopes":["jobs:create","jobs:worker"]}' | json key)
  echo "$id $key"
}
# each scenario gets its own space so that none sees another's jobs
load() { read -r S K <<<"$(space "$1")"; java bench/lifecycle/LifecycleLoad.java "$1" "$PORT" "$S" "$K" "$SPOOL_PID" "$2"; }

# The JIT keeps compiling for about a minute of load (C2 alone takes ~0.4 of a core meanwhile),
# so a short warm-up charges compilation to the first scenarios. The figures are for a warmed-up
# server: a full drain and 20 s of steady load first, not reported.
echo "warming up (JIT, pools): a full drain and 20 s of steady load, not reported"
load drain 60 >/dev/null
load steady 20 >/dev/null
vacuum_db "$DB"

A= B= C=
if want a; then
  echo "(a) drain 20,000 jobs, 8 workers, poll count 50 (limit 120 s)"
  A=$(load drain 120); echo "  $A"
  vacuum_db "$DB"
fi
if want b; then
  echo "(b) steady: 4 producers, 8 long-polling workers, ${SECS}s"
  B=$(load steady "$SECS"); echo "  $B"
  vacuum_db "$DB"
fi
if want c; then
  echo "(c) trickle: one job / 20 ms, 8 idle long-polling workers, ${SECS}s"
  C=$(load trickle "$SECS"); echo "  $C"
fi

stop_spool

if [ "${BENCH_PGBENCH:-1}" = 1 ]; then
echo "pgbench -N: 16 clients, 2 threads, ${SECS}s on a scratch database (scale 10)"
new_db "$PGB_DB"
pgbench -q -i -s 10 "$PGB_DB" >/dev/null 2>&1
PGB=$(pgbench -N -c 16 -j 2 -T "$SECS" "$PGB_DB" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n1)
fi

f() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }
echo
echo "=== Spool lifecycle benchmark ($STAMP, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)) ==="
printf '%-30s %s\n' "(a) drain 20k, 8 workers" "$(f jobs_per_s "$A") jobs/s ($(f jobs "$A") jobs in $(f seconds "$A") s, failures $(f failures "$A"))"
printf '%-30s %s\n' "(b) steady, long poll" "$(f jobs_per_s "$B") jobs/s completed, create->delivered p50 $(f latency_p50_ms "$B") ms, p99 $(f latency_p99_ms "$B") ms (failures $(f failures "$B"))"
printf '%-30s %s\n' "(c) one job / 20 ms" "create->delivered p50 $(f latency_p50_ms "$C") ms, p99 $(f latency_p99_ms "$C") ms, max $(f latency_max_ms "$C") ms ($(f completed "$C")/$(f created "$C") jobs)"
printf '%-30s %s\n' "pgbench -N (16 clients)" "${PGB:-?} tps"
printf '%-30s %s\n' "goals" "(a) >= 2500 jobs/s; (b) >= 1200 jobs/s; (c) p50 <= 10 ms, p99 <= 50 ms"
echo
echo "where the time went (CPU seconds during the phase; mean client-side latency per call):"
for X in A B C; do
  V=${!X}
  printf '  %s: spool %s s, postgres %s s, client %s s of %s s wall; poll %s ms, ack %s ms, complete %s ms, create %s ms\n' \
    "$X" "$(f cpu_spool_s "$V")" "$(f cpu_pg_s "$V")" "$(f cpu_client_s "$V")" "$(f wall_s "$V")" \
    "$(f poll_mean_ms "$V")" "$(f ack_mean_ms "$V")" "$(f complete_mean_ms "$V")" "$(f create_mean_ms "$V")"
done
