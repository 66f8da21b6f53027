#!/usr/bin/env bash
# The [ext] namePrefix filter of GET /spaces/:id/jobs on a large space: fills one space with
# PREFIX_JOBS jobs (default 300,000) of ~5,040 names in a fresh database (the schema from
# src/main/resources/db/migration, applied with psql), next to a second space, and records
# EXPLAIN (ANALYZE, BUFFERS) of the statements NamePrefixQueries issues for a first page of 25,
# plus a plain range scan with a sort for comparison.
# Usage: bench/listing/prefix.sh   Output: target/bench-prefix.txt. Talks to local PostgreSQL only.
set -euo pipefail
cd "$(dirname "$0")/../.."
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
N=${PREFIX_JOBS:-300000}
DB="spool_bench_prefix_$$"
OUTFILE=target/bench-prefix.txt
mkdir -p target
psql -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null
trap 'psql -q -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
for f in $(ls src/main/resources/db/migration/V*.sql | sort -V); do
  psql -q -v ON_ERROR_STOP=1 -d "$DB" -f "$f" >/dev/null
done

# Names: 3 "process-*" (30 % of the jobs), "proc-legacy" (5 %), "send-*" (2 names, 30 %), 5,000
# "user-sync-<n>" (30 %), 30 "audit-<n>" with one old job each, the rest "report-daily".
# Ids are ULID-like text increasing with creation time (Crockford base32 is not needed for order).
psql -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL
INSERT INTO spaces (id, name, public_key) VALUES ('01BENCHSPACEA00000000000000', 'a', 'pa'),
       ('01BENCHSPACEB00000000000000', 'b', 'pb');
INSERT INTO jobs (id, space_id, name, status, max_retries, timeout_seconds, available_at,
                  completed_at)
SELECT lpad(to_hex(1000000000 + i), 26, '0'),
       CASE WHEN i % 10 = 0 THEN '01BENCHSPACEB00000000000000' ELSE '01BENCHSPACEA00000000000000' END,
       CASE WHEN i <= 30 THEN 'audit-' || i
            WHEN i % 20 < 6 THEN 'process-' || (ARRAY['image', 'pdf', 'video'])[i % 3 + 1]
            WHEN i % 20 = 6 THEN 'proc-legacy'
            WHEN i % 20 < 13 THEN 'send-' || (ARRAY['email', 'sms'])[i % 2 + 1]
            WHEN i % 20 < 19 THEN 'user-sync-' || (i % 5000)
            ELSE 'report-daily' END,
       CASE WHEN i > $N - 2000 THEN 'pending' ELSE 'completed' END, 3, 60, now(),
       CASE WHEN i > $N - 2000 THEN NULL ELSE now() END
  FROM generate_series(1, $N) i;
VACUUM (ANALYZE) jobs;
SQL

COLS="id, space_id, name, payload::text AS payload, status, progress::text AS progress, created_at"
SPACE="ANY (ARRAY[CAST('01BENCHSPACEA00000000000000' AS text)])"
names() { # PREFIX: the skip scan of distinct names (NamePrefixQueries.NAMES)
  cat <<SQL
WITH RECURSIVE names(name, n) AS (
    (SELECT name, 1 FROM jobs WHERE space_id = $SPACE AND name >= '$1' ORDER BY space_id, name LIMIT 1)
    UNION ALL
    SELECT (SELECT j.name FROM jobs j WHERE j.space_id = $SPACE AND j.name > names.name
             ORDER BY j.space_id, j.name LIMIT 1), names.n + 1
      FROM names WHERE starts_with(names.name, '$1') AND names.n <= 100)
SELECT name FROM names WHERE starts_with(name, '$1')
SQL
}
by_names() { # PREFIX: the per-name merge (NamePrefixQueries.BY_NAMES), names inlined
  cat <<SQL
SELECT j.* FROM ($(names "$1")) AS n(name)
CROSS JOIN LATERAL (SELECT $COLS FROM jobs WHERE space_id = $SPACE AND name = n.name AND id < '~'
                     ORDER BY space_id, id DESC LIMIT 26) j
ORDER BY j.id DESC LIMIT 26
SQL
}
walk() { # PREFIX: the newest-per-status walk (NamePrefixQueries.BY_STATUSES)
  cat <<SQL
SELECT j.* FROM unnest(ARRAY['scheduled','pending','delivered','running','completed','dead','killed']) AS s(status)
CROSS JOIN LATERAL (SELECT $COLS FROM jobs WHERE space_id = $SPACE AND status = s.status
                       AND id < '~' AND starts_with(name, '$1')
                     ORDER BY space_id, id DESC LIMIT 26) j
ORDER BY j.id DESC LIMIT 26
SQL
}
range_sort() { # PREFIX: the plain alternative, a range of jobs_space_name_newest and a sort
  cat <<SQL
SELECT $COLS FROM jobs WHERE space_id = $SPACE AND name >= '$1' AND name < '$1' || chr(1114111)
 AND starts_with(name, '$1') ORDER BY id DESC LIMIT 26
SQL
}
{
  echo "# namePrefix on $N jobs ($(date -u +%FT%TZ), $(nproc) cores, PostgreSQL $(psql -Atq -d "$DB" -c 'SHOW server_version'))"
  for case in "names process" "by_names process" "range_sort process" "by_names proc" \
              "range_sort proc" "names user-sync-" "walk user-sync-" "range_sort user-sync-" \
              "walk audit-" "range_sort audit-" "by_names report" "walk send"; do
    set -- $case
    echo; echo "## $1 '$2'"
    plan=$(psql -Atq -d "$DB" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) $($1 "$2")")
    echo "$plan" | grep -m1 -E "Buffers: shared"
    echo "$plan" | grep -E "Execution Time"
  done
} | tee "$OUTFILE"
