#!/usr/bin/env bash
# Callback throughput: one Spool instance (16 sender threads, the default) delivering to a JDK
# HTTP server on 127.0.0.1, three rounds of N jobs completed at once; then the sender alone (no
# database) for comparison. Local PostgreSQL and 127.0.0.1 only. The two benchmarks are
# bench/java/dev/spool/callback/*Benchmark.java, compiled and run by the `bench` Maven profile.
# SYNC_OFF=1 runs the database with synchronous_commit=off (to see the commit-flush share).
#   bench/callbacks/run.sh [jobs-per-round]   (default 2000)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
DB="spool_bench_callbacks_$$"
createdb "$DB"
trap 'dropdb --if-exists "$DB"' EXIT
if [ "${SYNC_OFF:-0}" = 1 ]; then psql -q -d "$DB" -c "ALTER DATABASE \"$DB\" SET synchronous_commit = off"; fi
TEST_DATABASE_URL="jdbc:postgresql://$PGHOST:5432/$DB" TEST_DATABASE_USER="$PGUSER" \
  ./mvnw -B -q verify -Pbench -Dit.test='CallbackThroughputBenchmark,WebhookSenderBenchmark' \
  -Dspool.bench.jobs="${1:-2000}" \
  | grep '^BENCH'
