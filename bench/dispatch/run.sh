#!/usr/bin/env bash
# Dispatch benchmark (issue 12): bash bench/dispatch/run.sh
#
# One run measures every target of issue 12 next to pgbench -N and graphile-worker 0.17.3 on the
# same machine, and prints one table with the ratios (see bench/README.md and docs/benchmarks.md):
#   pgbench -N, 16 clients, 2 threads (scale 10)                    the machine's write ceiling
#   graphile-worker: drain of N jobs, 16 in-process workers, per-job and batched completion
#   (a) drain, emit.run path: 8 workers poll 50, ack + complete each, 4 calls in flight per worker
#   (b) drain, poll with "ack": true, complete each, same workers
#   (c) drain, poll 50 with ack, one POST /spaces/:id/jobs/complete per poll, 8 workers
#   (d) steady: producers offering 1,500 jobs/s, 8 long-polling workers (emit.run path)
#   (e) highest offered rate still completed as offered (ascending steps, stops at the first miss)
#   (f) WAL bytes per job of drain (a) (also shown for b and c)
#   (g) create: single (16 clients) and bulk (2 clients x 1000 jobs), bench/CreateLoad.java
#   (h) idle latency: 1 job per 20 ms, 2 idle long-polling workers
#   (i) 100 jobs/s with 2 and with 200 idle long-polling workers: CPU and latency
#   (j) CPU per job at 100 jobs/s (2 workers) against drain (a)'s
# (b) and (c) print "skipped (endpoint missing)" against a server without ack on poll or the batch
# call. Each Spool scenario gets its own space and a VACUUM (ANALYZE) first: this machine's
# PostgreSQL runs with autovacuum off. All traffic goes to 127.0.0.1; every phase is bounded.
#
# BENCH_AUTOVACUUM=1 turns the server's autovacuum on for the run (ALTER SYSTEM, reset on exit),
# as a production server has it, instead of relying on the VACUUM before each scenario only.
# Env: N (20000 jobs per drain), BENCH_SECONDS (15 per steady/idle phase), BENCH_SCENARIOS
# ("a b c d e f g h i j"), BENCH_PEERS (graphile; "graphile,pgboss"; "" for none),
# BENCH_PGBENCH (1), BENCH_WARMUP (20 s of steady load after a warm-up drain; 0 skips both),
# BENCH_SEARCH_RATES ("600 900 1200 1500 1800 2100 2400 2800 3200"), BENCH_SEARCH_SECONDS (10),
# BENCH_PROFILE (1: sample PostgreSQL's active statements), BENCH_FLOW_MODE (emit: the workers of d, e, h, i; ackpoll or batch), BENCH_IDLE_KEYS (8 keys
# shared by the 200 idle workers of i), BENCH_DRAIN_LIMIT (180 s), BENCH_PORT (the first free
# port from 18183 on), and bench/lib.sh's BENCH_BUILD, BENCH_JAVA_OPTS, BENCH_SPOOL_ARGS, PG*.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-20000}
SECS=${BENCH_SECONDS:-15}
WARMUP=${BENCH_WARMUP:-20}
SCENARIOS=${BENCH_SCENARIOS:-a b c d e f g h i j}
PEERS=${BENCH_PEERS-graphile}
FLOW_MODE=${BENCH_FLOW_MODE:-emit}
want() { [[ " $SCENARIOS " == *" $1 "* ]]; }
. bench/lib.sh
if [ "${BENCH_AUTOVACUUM:-0}" = 1 ]; then
  psql -q -d postgres -c "ALTER SYSTEM SET autovacuum = on" -c "SELECT pg_reload_conf()" >/dev/null
  trap 'psql -q -d postgres -c "ALTER SYSTEM RESET autovacuum" -c "SELECT pg_reload_conf()" >/dev/null; bench_cleanup' EXIT
  echo "autovacuum: on for this run ($(psql -Atq -d postgres -c 'show autovacuum'))"
fi
PORT=${BENCH_PORT:-$(free_port 18183)}
CLASSES=target/bench-dispatch
LOG="$OUT/dispatch-spool-$STAMP.log"
RESULTS="$OUT/dispatch-$STAMP.txt"
DB="spool_dispatch_$(date +%s)_$$"
export BENCH_DB=$DB # DispatchLoad counts only this database's PostgreSQL backends
: >"$RESULTS"
record() { echo "$1 $2" >>"$RESULTS"; echo "  $1: $2"; }
echo "dispatch benchmark $STAMP: N=$N, scenarios: $SCENARIOS; peers: ${PEERS:-none} (figures: $RESULTS)"

if [ "${BENCH_PGBENCH:-1}" = 1 ]; then
  echo "pgbench -N: 16 clients, 2 threads, ${SECS}s on a scratch database (scale 10)"
  new_db "pgbench_dispatch_$$"
  record pgbench "tps=$(pgbench_tps "pgbench_dispatch_$$" "$SECS")"
  psql -q -d postgres -c "DROP DATABASE \"pgbench_dispatch_$$\" WITH (FORCE)" >/dev/null
fi

# ---- peers: graphile-worker (and pg-boss), in-process, from a copy of the shared peer folder ----
if [ -n "$PEERS" ]; then
  SRC=${BENCH_PEERS_SRC:-}
  for d in ../shared/bench-peers ../../shared/bench-peers; do
    [ -z "$SRC" ] && [ -f "$d/graphile.mjs" ] && SRC=$d
  done
  WORK=${BENCH_PEERS_WORKDIR:-${TMPDIR:-/tmp}/spool-bench-peers}
  if [ -z "$SRC" ] || ! command -v node >/dev/null; then
    echo "peers skipped: no bench-peers folder (BENCH_PEERS_SRC) or no node" >&2
    PEERS=
  elif [ ! -d "$WORK/node_modules" ] || ! cmp -s "$SRC/package-lock.json" "$WORK/package-lock.json"; then
    echo "installing the peers in $WORK (npm ci)"
    if [ -e "$WORK" ] && [ ! -f "$WORK/graphile.mjs" ]; then
      echo "$WORK exists and is not a copy of the peers: set BENCH_PEERS_WORKDIR" >&2
      exit 1
    fi
    rm -rf "$WORK" && mkdir -p "$WORK" && cp -r "$SRC/." "$WORK" && chmod -R u+w "$WORK"
    (cd "$WORK" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
# peer NAME ENV...: runs NAME.mjs's drain phases with 16 workers; its RESULT lines go to a log
peer() {
  local name=$1 db="bench_${1}_dispatch_$$"
  shift
  BENCH_DBS+=("$db")
  psql -q -d postgres -c CHECKPOINT >/dev/null
  echo "$name: drain of $N jobs, 16 in-process workers (log: $OUT/dispatch-$name-$STAMP.log)"
  (cd "$WORK" && env "$@" N="$N" CONCURRENCY=16 PHASES=work timeout 1200 node "$name.mjs") \
    >"$OUT/dispatch-$name-$STAMP.log" 2>&1 || echo "  $name exited with $?" >&2
  psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
}
# peer_result LOG PATTERN: jobs/s and WAL per job of the RESULT line whose measurement matches
peer_result() {
  python3 - "$1" "$2" <<'EOF'
import json, re, sys
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        r = json.loads(line[7:])
        if re.search(sys.argv[2], r["measurement"]):
            print(f"jobs_per_s={r['jobsPerSec'] or 0:.0f} wal_per_job={r['walBytesPerJob'] or 0:.0f}"
                  f" completed={r['completed']} machine_cpu_pct={r['machineCpuPct'] or 0:.0f}")
            break
EOF
}
if [[ ",$PEERS," == *,graphile,* ]]; then
  peer graphile GRAPHILE_DB="bench_graphile_dispatch_$$"
  record graphile_perjob "$(peer_result "$OUT/dispatch-graphile-$STAMP.log" nobatch)"
  record graphile_batched "$(peer_result "$OUT/dispatch-graphile-$STAMP.log" ' batched')"
fi
if [[ ",$PEERS," == *,pgboss,* ]]; then
  peer pgboss PGBOSS_DB="bench_pgboss_dispatch_$$" WORK_BATCHES=100,500
  record pgboss_b100 "$(peer_result "$OUT/dispatch-pgboss-$STAMP.log" 'batchSize=100$')"
  record pgboss_b500 "$(peer_result "$OUT/dispatch-pgboss-$STAMP.log" 'batchSize=500$')"
fi

# ---- Spool ----------------------------------------------------------------------------------------
build_jar
rm -rf "$CLASSES"
javac -d "$CLASSES" bench/lifecycle/LifecycleLoad.java bench/dispatch/DispatchLoad.java \
  bench/dispatch/DispatchWorker.java
new_db "$DB"
start_spool "$DB" "$PORT" "$((PORT + 1000))" "$LOG"

# space NAME KEYS: a new space and KEYS worker keys; prints "id key1,key2,..."
space() {
  local id keys= k
  id=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces" -H "x-api-key: $ADMIN" \
    -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}" | json id)
  for _ in $(seq 1 "$2"); do
    k=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces/$id/keys" -H "x-api-key: $ADMIN" \
      -H 'Content-Type: application/json' -d '{"name":"bench","scopes":["jobs:create","jobs:worker"]}' | json key)
    keys=${keys:+$keys,}$k
  done
  echo "$id $keys"
}
# profile KEY COMMAND...: runs COMMAND while one psql session samples the active statements of
# Spool's database about ten times a second (wait event, or CPU, and the statement): where
# PostgreSQL's wall time goes, summed up under the table. BENCH_PROFILE=0 turns it off. The period
# is 93.7 ms, not 100: the producers create on a fixed 10 or 20 ms schedule, and a sampler whose
# period is a multiple of it can stay in phase with the creates for a whole phase and count them
# many times over (seen at 100 jobs/s: the create in 43-63 % of the samples while it ran about a
# tenth of the time); 93.7 ms moves the phase by 3.7 ms a sample. The commit_mode CTE that
# begins the claim, the grouped ack/complete and the create insert alike is shortened to
# "commit_mode …", so that the 120 characters shown tell those statements apart.
SAMPLE="SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') || ' | '
  || left(regexp_replace(regexp_replace(query, '\s+', ' ', 'g'),
          'commit_mode AS MATERIALIZED \( SELECT set_config\(.*?, true\) \), ', 'commit_mode …, '),
          120) FROM pg_stat_activity
  WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"
profile() {
  local key=$1 sampler=
  shift
  if [ "${BENCH_PROFILE:-1}" = 1 ]; then
    printf '%s\n' "$SAMPLE" '\watch 0.0937' | psql -tA -d "$DB" >"$OUT/dispatch-$STAMP-profile-$key.txt" 2>/dev/null &
    sampler=$!
  fi
  "$@"
  if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
}
# load SCENARIO SPACE KEYS SECONDS ARGS...
load() { java -Xss512k -cp "$CLASSES" DispatchLoad "$1" "$PORT" "$2" "$3" "$SPOOL_PID" "${@:4}"; }
# drain MODE [KEY]: probe, fill N jobs, VACUUM, drain with the WAL position read around it
drain() {
  local S K out lsn wal jobs
  read -r S K <<<"$(space "drain-$1" 1)"
  out=$(load probe "$S" "$K" 30 "$1")
  if [[ $out != *available=1* ]]; then
    echo "skipped=endpoint_missing $(sed -n 's/.*\(reason=[^ ]*\).*/\1/p' <<<"$out")"
    return
  fi
  load fill "$S" "$K" 300 "$N" >/dev/null
  vacuum_db "$DB"
  lsn=$(psql -tA -d "$DB" -c "SELECT pg_current_wal_lsn()")
  out=$(profile "${2:-warmup}" load drain "$S" "$K" "${BENCH_DRAIN_LIMIT:-180}" "$1")
  wal=$(psql -tA -d "$DB" -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn')::bigint")
  jobs=$(sed -n 's/.* jobs=\([0-9]*\).*/\1/p' <<<"$out")
  echo "$out wal_per_job=$((wal / (jobs > 0 ? jobs : 1)))"
}
# flow KEY RATE WORKERS [SECONDS] [KEYS]: VACUUM, then producers offer RATE jobs/s to WORKERS workers
flow() {
  local S K
  read -r S K <<<"$(space "flow-$2-$3" "${5:-1}")"
  vacuum_db "$DB"
  profile "$1" load flow "$S" "$K" "${4:-$SECS}" "$2" "$3" "$FLOW_MODE"
}

# The JIT keeps compiling for about a minute of load: a drain and some steady load first.
if [ "$WARMUP" -gt 0 ]; then
  echo "warming up (JIT, pools): a drain of $N jobs and ${WARMUP}s at 1,000 jobs/s, not reported"
  drain emit >/dev/null
  flow warmup 1000 8 "$WARMUP" >/dev/null
fi
if want a || want f || want j; then
  echo "(a) drain $N jobs, emit.run path: 8 workers, poll 50, ack + complete, 4 in flight"
  record a "$(drain emit a)"
fi
if want b; then
  echo "(b) drain $N jobs, poll with ack + complete, 8 workers, 4 in flight"
  record b "$(drain ackpoll b)"
fi
if want c; then
  echo "(c) drain $N jobs, poll 50 with ack, one batch complete per poll, 8 workers"
  record c "$(drain batch c)"
fi
if want d; then
  echo "(d) steady: 1,500 jobs/s offered, 8 long-polling workers ($FLOW_MODE), ${SECS}s"
  record d "$(flow d 1500 8)"
fi
if want e; then
  echo "(e) highest rate completed as offered: ${BENCH_SEARCH_SECONDS:-10}s per step, stops at the first miss"
  for r in ${BENCH_SEARCH_RATES:-600 900 1200 1500 1800 2100 2400 2800 3200}; do
    out=$(flow "e_$r" "$r" 8 "${BENCH_SEARCH_SECONDS:-10}")
    record "e_$r" "$out"
    [[ $out == *as_offered=yes* ]] || break
  done
fi
if want g; then
  echo "(g) create: warm-up 5 s each, then bulk (2 clients x 1000 jobs) and single (16 clients), ${SECS}s each"
  read -r S K <<<"$(space create 1)"
  create() { java bench/CreateLoad.java "$1" "$PORT" "$S" "$K" "$2" "$3" "$4"; }
  create single 16 5 50000 >/dev/null
  create bulk 2 5 100 >/dev/null
  vacuum_db "$DB"
  record g_bulk "$(create bulk 2 "$SECS" 600)"
  vacuum_db "$DB"
  record g_single "$(create single 16 "$SECS" 200000)"
fi
if want h; then
  echo "(h) idle latency: 1 job per 20 ms, 2 idle long-polling workers, ${SECS}s"
  record h "$(flow h 50 2)"
fi
if want i || want j; then
  echo "(i) 100 jobs/s offered, 2 idle long-polling workers, ${SECS}s"
  record i2 "$(flow i2 100 2)"
fi
if want i; then
  echo "(i) 100 jobs/s offered, 200 idle long-polling workers on ${BENCH_IDLE_KEYS:-8} keys, ${SECS}s"
  record i200 "$(flow i200 100 200 "$SECS" "${BENCH_IDLE_KEYS:-8}")"
fi
stop_spool

echo
echo "=== Spool dispatch benchmark ($STAMP, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)) ==="
python3 bench/dispatch/report.py "$RESULTS" | tee "$OUT/dispatch-$STAMP-table.md"
