#!/usr/bin/env bash
# WAL per job (issue 12): bash bench/wal/run.sh
#
# Builds the jar (BENCH_BUILD=0 to reuse it), starts Spool on a fresh database on
# 127.0.0.1:$BENCH_PORT (default 18383; other benchmarks use 1808x), then:
#   1. creates BENCH_JOBS (20,000) jobs in bulk requests of 1,000 and measures the WAL written;
#   2. VACUUM, then CHECKPOINT, so that every page's first change after it writes one full-page
#      image in each run alike (the drain is measured with its full-page images included);
#   3. drains them over HTTP: 8 workers, poll 50, then ack + complete each job with x-delivery-id
#      (at most 300 s);
# and prints WAL bytes per created job and per drained job.
#
# The server may be shared (other databases writing at the same time), so the WAL is not taken
# as a plain pg_current_wal_lsn() difference: pg_walinspect reads the records between the two
# positions and counts those of this database — records touching its relations, and every record
# (commits included) of a transaction that touched them. A temporary physical replication slot
# keeps the WAL segments until they are read; it is dropped on exit. The plain LSN difference is
# printed too. All traffic goes to 127.0.0.1; each phase is bounded in count and time.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${BENCH_PORT:-18383}
N=${BENCH_JOBS:-20000}
. bench/lib.sh
LOG="$OUT/wal-spool-$STAMP.log"
DB="spool_wal_$(date +%s)_$$"
SLOT="spool_wal_bench_$$"

wal_cleanup() {
  psql -q -d postgres -c "SELECT pg_drop_replication_slot('$SLOT')
    WHERE EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT')" >/dev/null 2>&1 || true
  bench_cleanup
}
trap wal_cleanup EXIT

build_jar
new_db "$DB"
# start_spool gives up after about 3 minutes; on a busy shared machine startup can take longer
start_spool "$DB" "$PORT" "$((PORT + 1000))" "$LOG" || true
for _ in $(seq 1 420); do
  curl -fs "http://127.0.0.1:$((PORT + 1000))/actuator/health/readiness" >/dev/null 2>&1 && break
  kill -0 "$SPOOL_PID" 2>/dev/null || { echo "Spool exited; see $LOG" >&2; exit 1; }
  sleep 1
done
psql -q -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS pg_walinspect" >/dev/null
psql -q -d postgres -c "SELECT pg_create_physical_replication_slot('$SLOT', true)" >/dev/null

SPACE_JSON=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/spaces" -H "x-api-key: $ADMIN" \
  -H "Content-Type: application/json" -d "{\"name\":\"wal\"}")
S=$(json id <<<"$SPACE_JSON") || { echo "creating the space failed: $SPACE_JSON" >&2; exit 1; }
K=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/spaces/$S/keys" -H "x-api-key: $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench","scopes":["jobs:create","jobs:worker"]}' | json key)

q() { psql -Atq -d "$DB" -c "$1"; }
lsn() { q "SELECT pg_current_wal_lsn()"; }
load() { java bench/wal/WalLoad.java "$1" "$N" "$PORT" "$S" "$K"; }
# ours FROM TO: WAL bytes of this database's records between two positions
ours() {
  q "WITH r AS (SELECT xid, record_length, block_ref FROM pg_get_wal_records_info('$1', '$2')),
          mine AS (SELECT DISTINCT xid FROM r
                    WHERE xid <> 0 AND block_ref LIKE '% rel %/' || (SELECT oid FROM pg_database
                                                      WHERE datname = current_database()) || '/%')
     SELECT coalesce(sum(record_length), 0) FROM r
      WHERE xid IN (SELECT xid FROM mine)
         OR (xid = 0 AND block_ref LIKE '% rel %/' || (SELECT oid FROM pg_database
                                             WHERE datname = current_database()) || '/%')"
}
# by_type FROM TO COUNT: this database's WAL by record type, per job
by_type() {
  q "WITH r AS (SELECT * FROM pg_get_wal_records_info('$1', '$2')),
          d AS (SELECT '% rel %/' || oid || '/%' AS pat FROM pg_database WHERE datname = current_database()),
          mine AS (SELECT DISTINCT xid FROM r, d WHERE xid <> 0 AND block_ref LIKE d.pat)
     SELECT rpad(resource_manager || '/' || record_type, 24) || lpad(count(*)::text, 9) || ' records '
            || lpad(round(sum(record_length)::numeric / $3)::text, 6) || ' B/job (FPI '
            || round(sum(fpi_length)::numeric / $3) || ')'
       FROM r, d WHERE xid IN (SELECT xid FROM mine) OR (xid = 0 AND block_ref LIKE d.pat)
      GROUP BY resource_manager, record_type ORDER BY sum(record_length) DESC LIMIT 14"
}

psql -q -d "$DB" -c "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null
L0=$(lsn); C=$(load create); L1=$(lsn)
CREATED=$(q "SELECT count(*) FROM jobs")
psql -q -d "$DB" -c "VACUUM (ANALYZE)" -c "CHECKPOINT" >/dev/null
L2=$(lsn); D=$(load drain); L3=$(lsn)
DRAINED=$(q "SELECT count(*) FROM jobs WHERE status = 'completed'")
CREATE_B=$(ours "$L0" "$L1"); DRAIN_B=$(ours "$L2" "$L3")
per() { echo $(($1 / ($2 > 0 ? $2 : 1))); }

echo
echo "=== Spool WAL per job ($STAMP, N=$N, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)) ==="
echo "create: $C; $CREATED jobs; this database $CREATE_B B = $(per "$CREATE_B" "$CREATED") B/job" \
  "(whole server $(q "SELECT pg_wal_lsn_diff('$L1', '$L0')::bigint") B)"
echo "drain (poll 50, ack + complete): $D; $DRAINED completed; this database $DRAIN_B B =" \
  "$(per "$DRAIN_B" "$DRAINED") B/job (whole server $(q "SELECT pg_wal_lsn_diff('$L3', '$L2')::bigint") B)"
echo "create by record type:"; by_type "$L0" "$L1" "$CREATED"
echo "drain by record type:"; by_type "$L2" "$L3" "$DRAINED"
