#!/usr/bin/env bash
# Measures the callback outbox trigger's cost in a throw-away database (local PostgreSQL only).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PGHOST=${PGHOST:-127.0.0.1} PGUSER=${PGUSER:-postgres}
DB="spool_bench_trigger_$$"
createdb "$DB"
trap 'dropdb --if-exists "$DB"' EXIT
psql -q -v ON_ERROR_STOP=1 -d "$DB" -f src/main/resources/db/migration/V1__core_schema.sql \
  -f src/main/resources/db/migration/V30__callbacks.sql
psql -v ON_ERROR_STOP=1 -d "$DB" -f bench/callbacks/trigger-cost.sql | grep -E '^---|^UPDATE|^Time|^ *[0-9]+ *$'
