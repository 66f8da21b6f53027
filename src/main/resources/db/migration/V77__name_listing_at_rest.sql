-- jobs_space_name_newest holds the jobs at rest only, as jobs_space_status_newest does since V76:
-- the two status changes into delivered and running no longer take an entry in it (two of the
-- sixteen index entries a drained job wrote). Listing by name or name prefix reads the in-flight
-- jobs through jobs_in_flight_deadline instead (JobQueries, NamePrefixQueries).
--
-- That index served one more query: the cascade of the foreign key jobs.space_id -> spaces, whose
-- "space_id = $1" names nothing a partial index could match (every space deletion would scan the
-- whole table). So on one PostgreSQL the foreign key goes, and what it did is done explicitly:
--   - a space's jobs are deleted by Spaces.delete through the listing indexes, under the space's
--     row lock, before the space row;
--   - the two statements that insert jobs (a create, a retry) lock their spaces with
--     spool_lock_spaces below, as the foreign key's check did (FOR KEY SHARE), and fail as it did
--     when a space does not exist: a create racing a space deletion waits for it and then fails
--     (404), a deletion waits for the creates in flight and then sees their jobs (409).
-- One lock per space per statement instead of one check per inserted row.
--
-- On Citus (SPOOL_DISTRIBUTED=citus) the primary key is (space_id, id) and serves the cascade, so
-- db/citus/distribute.sql puts the foreign key back and the statements do not call the function.
DO $$
DECLARE
    distributed boolean := false;
BEGIN
    -- an installation already distributed by Citus keeps its foreign key (dynamic SQL: the
    -- catalog exists only where Citus is installed)
    IF to_regclass('pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = ''jobs''::regclass)'
           INTO distributed;
    END IF;
    IF NOT distributed THEN
        ALTER TABLE jobs DROP CONSTRAINT jobs_space_id_fkey;
    END IF;
END $$;

DROP INDEX jobs_space_name_newest;
CREATE INDEX jobs_space_name_newest ON jobs (space_id, name, id DESC)
    WHERE status IN ('scheduled', 'pending', 'completed', 'dead', 'killed');

-- Locks the rows of the given spaces against deletion until the transaction ends (FOR KEY SHARE,
-- the foreign key check's lock: it does not block other creates nor updates of a space's settings)
-- and raises the foreign key check's error when one of them does not exist. Returns the number of
-- spaces locked, so that a statement can select it.
CREATE FUNCTION spool_lock_spaces(space_ids text[]) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    wanted integer;
    locked integer;
BEGIN
    SELECT count(DISTINCT s) INTO wanted FROM unnest(space_ids) AS u(s);
    SELECT count(*) INTO locked
      FROM (SELECT id FROM spaces WHERE id = ANY (space_ids) ORDER BY id FOR KEY SHARE) l;
    IF locked < wanted THEN
        RAISE EXCEPTION 'insert or update on table "jobs" violates foreign key constraint "jobs_space_id_fkey"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'jobs_space_id_fkey',
                  TABLE = 'jobs', DETAIL = 'A space of the jobs is not present in table "spaces".';
    END IF;
    RETURN locked;
END $$;
