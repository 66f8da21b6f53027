#!/usr/bin/env bash
# Listing on a large table: fills one space with a million jobs in a fresh database and records
# EXPLAIN (ANALYZE, BUFFERS) and latencies of every list shape the application issues.
# Usage: bench/listing/run.sh            (LISTING_JOBS=200000 bench/listing/run.sh for a quick run)
# Output: target/bench-listing.md (copied to bench/listing/results.md). Talks to local PostgreSQL only.
set -euo pipefail
cd "$(dirname "$0")/../.."
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
DB="spool_bench_listing_$$"
psql -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null
trap 'psql -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
export TEST_DATABASE_URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB" TEST_DATABASE_USER="$PGUSER"
./mvnw -B -q verify -Pbench -Dit.test=ListingBenchmark
cp target/bench-listing.md bench/listing/results.md
echo "Report: bench/listing/results.md"
