#!/usr/bin/env bash
# Citus benchmark (issue 17): bash bench/citus/run.sh
#
# The dispatch drain of bench/dispatch (DispatchLoad: 8 workers per space poll 50 with ack and
# complete each job, 4 calls in flight per worker) in two spaces at once, first on the local
# PostgreSQL, then on a Citus cluster (a coordinator and two workers on this machine, from
# ../shared/citus, SPOOL_DISTRIBUTED=citus) whose two spaces live on different workers. Prints
# jobs/s for each and the overhead per job (docs/scaling.md). On one machine the cluster cannot be
# faster: its three PostgreSQL instances share the same cores, and every statement makes one more
# network hop (Spool -> coordinator -> worker).
#
# Env: N (4000 jobs per space), BENCH_MODE (ackpoll: poll with ack, complete each; emit: poll, ack,
# complete; batch: one batch complete per poll), BENCH_DRAIN_LIMIT (180 s), CITUS_BENCH_PORT (5443:
# the coordinator; workers on the next two ports), BENCH_PORT, and bench/lib.sh's variables.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-4000}
MODE=${BENCH_MODE:-ackpoll}
LIMIT=${BENCH_DRAIN_LIMIT:-180}
CITUS_SCRIPTS=${CITUS_SCRIPTS:-"$(pwd)/../shared/citus"}
[ -f "$CITUS_SCRIPTS/cluster.sh" ] || { echo "no ../shared/citus/cluster.sh next to this checkout" >&2; exit 1; }
. bench/lib.sh
JAR=${BENCH_JAR:-$JAR} # a copy of the jar, to run while another build uses target/
CPORT=${CITUS_BENCH_PORT:-5443}
CDATA=$(mktemp -d)
trap 'bench_cleanup; CITUS_PORT=$CPORT bash "$CITUS_SCRIPTS/cluster.sh" destroy "$CDATA" >/dev/null 2>&1 || true' EXIT
PORT=${BENCH_PORT:-$(free_port 18283)}
CLASSES=target/bench-citus
RESULTS="$OUT/citus-$STAMP.txt"
: >"$RESULTS"
record() { echo "$1 $2" >>"$RESULTS"; echo "  $1: $2"; }
echo "citus benchmark $STAMP: N=$N jobs per space, 2 spaces, mode $MODE (figures: $RESULTS)"

build_jar
rm -rf "$CLASSES"
javac -d "$CLASSES" bench/lifecycle/LifecycleLoad.java bench/dispatch/DispatchLoad.java \
  bench/dispatch/DispatchWorker.java

space() {
  local id key
  id=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces" -H "x-api-key: $ADMIN" \
    -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}" | json id)
  key=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces/$id/keys" -H "x-api-key: $ADMIN" \
    -H 'Content-Type: application/json' -d '{"name":"bench","scopes":["jobs:create","jobs:worker"]}' | json key)
  echo "$id $key"
}
load() { java -Xss512k -cp "$CLASSES" DispatchLoad "$1" "$PORT" "$2" "$3" "$SPOOL_PID" "${@:4}"; }

# run LABEL SPACE1 KEY1 SPACE2 KEY2: fills both spaces, drains them at once, records the sum
run() {
  local label=$1 out1 out2 j1 j2 s1 s2
  load fill "$2" "$3" 300 "$N" >/dev/null
  load fill "$4" "$5" 300 "$N" >/dev/null
  psql -q -h "$PGH" -p "$PGP" -d "$PGD" -c "VACUUM (ANALYZE)" >/dev/null
  load drain "$2" "$3" "$LIMIT" "$MODE" >"$OUT/citus-$STAMP-$label-1.txt" &
  local p1=$!
  load drain "$4" "$5" "$LIMIT" "$MODE" >"$OUT/citus-$STAMP-$label-2.txt"
  wait "$p1"
  out1=$(cat "$OUT/citus-$STAMP-$label-1.txt")
  out2=$(cat "$OUT/citus-$STAMP-$label-2.txt")
  j1=$(sed -n 's/.* jobs=\([0-9]*\).*/\1/p' <<<"$out1"); s1=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$out1")
  j2=$(sed -n 's/.* jobs=\([0-9]*\).*/\1/p' <<<"$out2"); s2=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$out2")
  record "$label" "$(python3 -c "
j=$j1+$j2; s=max($s1,$s2)
print(f'jobs={j} seconds={s:.2f} jobs_per_s={j/s:.0f} ms_per_job={1000*s/j:.3f}')")"
  echo "    space 1: $out1" >>"$RESULTS"
  echo "    space 2: $out2" >>"$RESULTS"
}

# ---- plain PostgreSQL ----
DB="spool_citusbench_$(date +%s)_$$"
new_db "$DB"
PGH=$PGHOST PGP=$PGPORT PGD=$DB
start_spool "$DB" "$PORT" "$((PORT + 1000))" "$OUT/citus-$STAMP-plain.log"
read -r S1 K1 <<<"$(space plain-1)"
read -r S2 K2 <<<"$(space plain-2)"
echo "plain PostgreSQL: two spaces, $N jobs each"
run plain "$S1" "$K1" "$S2" "$K2"
stop_spool

# ---- Citus: coordinator and two workers on this machine ----
CITUS_PORT=$CPORT bash "$CITUS_SCRIPTS/cluster.sh" start "$CDATA" >/dev/null
PGH=127.0.0.1 PGP=$CPORT PGD=spool
PGPORT=$CPORT BENCH_SPOOL_ARGS="--spool.distributed=citus ${BENCH_SPOOL_ARGS:-}" \
  start_spool spool "$PORT" "$((PORT + 1000))" "$OUT/citus-$STAMP-citus.log"
node_of() {
  psql -qAt -h 127.0.0.1 -p "$CPORT" -d spool -c "SELECT nodeport FROM citus_shards
    WHERE table_name = 'jobs'::regclass
      AND shardid = get_shard_id_for_distribution_column('jobs', '$1')"
}
read -r S1 K1 <<<"$(space citus-1)"
n1=$(node_of "$S1")
for i in $(seq 1 20); do
  read -r S2 K2 <<<"$(space "citus-2-$i")"
  n2=$(node_of "$S2")
  [ "$n2" != "$n1" ] && break
done
echo "Citus: space 1 on worker :$n1, space 2 on worker :$n2, $N jobs each"
# node_cpu: CPU time of each node's backends so far, in clock ticks (coordinator, worker 1,
# worker 2; utime + stime from /proc); backends that exit during the drain are not counted, Spool
# and Citus keep theirs open
node_cpu() {
  local i pm p
  for i in 0 1 2; do
    pm=$(head -n1 "$CDATA/node$i/postmaster.pid")
    for p in $(ps -o pid= --ppid "$pm"); do cat "/proc/$p/stat" 2>/dev/null || true; done |
      awk '{s += $14 + $15} END {printf "%d ", s}'
  done
}
TICK=$(getconf CLK_TCK)
# worker_tx: transactions committed (xact_commit, prepared ones included) and prepared
# transactions recorded by the coordinator so far: how many transactions each write opens on the
# workers, whatever the machine's speed
worker_tx() {
  local port
  for port in $((CPORT + 1)) $((CPORT + 2)); do
    psql -qAt -h 127.0.0.1 -p "$port" -d spool -c \
      "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()" | tr '\n' ' '
  done
  psql -qAt -h 127.0.0.1 -p "$CPORT" -d spool -c "SELECT count(*) FROM pg_dist_transaction"
}
psql -q -h 127.0.0.1 -p "$CPORT" -d spool -c "SELECT recover_prepared_transactions()" >/dev/null
psql -q -h 127.0.0.1 -p "$CPORT" -d spool -c "ALTER SYSTEM SET citus.recover_2pc_interval = -1" \
  -c "SELECT pg_reload_conf()" >/dev/null
tx0=$(worker_tx)
cpu0=$(node_cpu)
run citus "$S1" "$K1" "$S2" "$K2"
cpu1=$(node_cpu)
tx1=$(worker_tx)
record citus_worker_tx "$(python3 -c "
a = [int(x) for x in '$tx0'.split()]; b = [int(x) for x in '$tx1'.split()]
jobs = 2 * $N
d = [y - x for x, y in zip(a, b)]
print(f'worker1_commits_per_job={d[0] / jobs:.2f} worker2_commits_per_job={d[1] / jobs:.2f} '
      f'prepared_per_job={d[2] / jobs:.2f}')")"
record citus_node_cpu "$(python3 -c "
a = [int(x) for x in '$cpu0'.split()]; b = [int(x) for x in '$cpu1'.split()]
jobs = 2 * $N
d = [(y - x) / $TICK for x, y in zip(a, b)]
print(f'coordinator_s={d[0]:.2f} worker1_s={d[1]:.2f} worker2_s={d[2]:.2f} '
      f'coordinator_ms_per_job={1000 * d[0] / jobs:.2f} worker_ms_per_job={1000 * (d[1] + d[2]) / jobs:.2f}')")"
stop_spool

python3 - "$RESULTS" <<'PY'
import re, sys
r = {}
for line in open(sys.argv[1]):
    m = re.match(r"(plain|citus) jobs=(\d+) seconds=([\d.]+) jobs_per_s=(\d+) ms_per_job=([\d.]+)", line)
    if m:
        r[m.group(1)] = float(m.group(5))
if len(r) == 2:
    print(f"overhead per job on Citus: {r['citus'] - r['plain']:.3f} ms of wall time "
          f"({r['citus'] / r['plain']:.2f}x the plain PostgreSQL time per job)")
PY
