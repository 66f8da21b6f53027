# Shared by the benchmark scripts (sourced from the repository root): PostgreSQL defaults, the
# jar, a fresh database per run, starting and stopping Spool on 127.0.0.1, and cleanup on exit
# (Spool stopped, every database made here dropped).
#
# Env: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD; BENCH_BUILD (1: build the
# jar first; 0: reuse it), BENCH_JAVA_OPTS (-Xms512m -Xmx1g), BENCH_SPOOL_ARGS (extra arguments).

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
JAR=${BENCH_JAR:-target/spool-0.1.0.jar}
OUT=bench/out
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
ADMIN=emit_bench-admin-key-0123456789abcdefghijkl
SPOOL_PID=
BENCH_DBS=()

bench_cleanup() {
  stop_spool
  local db
  for db in "${BENCH_DBS[@]}"; do
    psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
}
trap bench_cleanup EXIT
trap 'exit 130' INT   # so that the EXIT trap cleans up after Ctrl-C and kill too
trap 'exit 143' TERM

build_jar() {
  if [ "${BENCH_BUILD:-1}" = 1 ] || [ ! -f "$JAR" ]; then
    echo "building $JAR"
    ./mvnw -q -B -DskipTests package
  fi
}

# new_db NAME: creates an empty database, dropped on exit
new_db() {
  psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$1\"" >/dev/null
  BENCH_DBS+=("$1")
}

# start_spool DB PORT MANAGEMENT_PORT LOG: starts the jar (per-key rate limit off: one key drives
# far more than 1000 requests/s) and returns once it is ready; SPOOL_PID is its process
start_spool() {
  local db=$1 port=$2 mgmt=$3 log=$4
  # another Spool on the port would answer the readiness probe and take this run's load
  if listening "$port" || listening "$mgmt"; then
    echo "port $port or $mgmt is in use on 127.0.0.1: set BENCH_PORT" >&2
    exit 1
  fi
  echo "starting Spool on 127.0.0.1:$port against database $db (log: $log)"
  SPRING_DATASOURCE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$db" \
  SPRING_DATASOURCE_USERNAME="$PGUSER" SPRING_DATASOURCE_PASSWORD="${PGPASSWORD:-}" \
  SPOOL_ADMIN_KEY=$ADMIN SPOOL_RATE_LIMIT_PER_KEY=0 \
    java ${BENCH_JAVA_OPTS:--Xms512m -Xmx1g} -jar "$JAR" \
      --server.address=127.0.0.1 --server.port="$port" \
      --management.server.address=127.0.0.1 --management.server.port="$mgmt" \
      ${BENCH_SPOOL_ARGS:-} >"$log" 2>&1 &
  SPOOL_PID=$!
  # ready = this process logged its start (another process that took the port meanwhile would
  # answer the probe too) and answers the readiness probe
  local ready="http://127.0.0.1:$mgmt/actuator/health/readiness"
  for _ in $(seq 1 300); do
    if ! kill -0 "$SPOOL_PID" 2>/dev/null; then echo "Spool exited; see $log" >&2; exit 1; fi
    if grep -q "Started SpoolApplication" "$log" && curl -fs "$ready" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "Spool did not start within 300 s; see $log" >&2
  exit 1
}

# listening PORT: true when something accepts connections on 127.0.0.1:PORT
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port FROM: the first port from FROM on with both it and its management port (+1000) free
free_port() {
  local p=$1
  while listening "$p" || listening "$((p + 1000))"; do p=$((p + 1)); done
  echo "$p"
}

# vacuum_db DB: VACUUM (ANALYZE) between phases. The PostgreSQL the benchmarks run against may have
# autovacuum off (this project's CI machine has, in conf.d/90-ci.conf); without it each phase would
# run on the dead rows of the ones before it, and slow down as a run goes on. A production server's
# autovacuum does this work continuously.
vacuum_db() { psql -q -d "$1" -c "VACUUM (ANALYZE)" >/dev/null; }

stop_spool() {
  if [ -n "$SPOOL_PID" ]; then
    kill "$SPOOL_PID" 2>/dev/null || true
    wait "$SPOOL_PID" 2>/dev/null || true
    SPOOL_PID=
  fi
}

# json FIELD: prints one field of the JSON object on stdin
json() { python3 -c "import json,sys; print(json.load(sys.stdin)[sys.argv[1]])" "$1"; }

# pgbench_tps DB SECONDS: the machine's small-write ceiling, for scale: initialises DB (made by
# new_db; scale 10), checkpoints, and prints the tps of pgbench -N with 16 clients and 2 threads
# (TPC-B-like without the teller/branch updates: one UPDATE, one SELECT, one INSERT per commit)
pgbench_tps() {
  pgbench -q -i -s 10 "$1" >/dev/null 2>&1
  psql -q -d "$1" -c CHECKPOINT >/dev/null
  timeout $(($2 + 120)) pgbench -N -c 16 -j 2 -T "$2" "$1" 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n1
}
