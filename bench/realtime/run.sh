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
. bench/lib.sh
CLASSES=target/bench-realtime
LOG="$OUT/realtime-spool-$STAMP.log"
DB="spool_realtime_$(date +%s)_$$"
export BENCH_DB=$DB  # vacuumed between phases (see vacuum_db in bench/lib.sh)

build_jar
rm -rf "$CLASSES"
javac -d "$CLASSES" bench/lifecycle/LifecycleLoad.java bench/realtime/RealtimeBench.java
new_db "$DB"
start_spool "$DB" "$PORT" "$MGMT" "$LOG"

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
java -Xmx512m -cp "$CLASSES" RealtimeBench "$PORT" "$ADMIN" "$SPOOL_PID"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
