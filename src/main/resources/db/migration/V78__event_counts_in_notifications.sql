-- The spool_events notification carries what its statement appended, counted by space and type,
-- so that its listeners need not read the events back (issue 12: "one feed/metrics query per
-- committed transaction per instance"):
--   - the event counters (JobEventMetrics) add the counts straight from the payload: before, every
--     instance read every event of every transaction back (type, count(*) by tx), a read per event
--     per instance, 8 % of a core during bulk creates;
--   - the callback dispatcher wakes only for a statement that made a job terminal (completed, dead
--     or killed: the only transitions that write a callback delivery), not for every transition.
--
-- Payload: <txid>:<spaceId>[,<spaceId>...]|<first event id>|<i>.<type>=<n>[,<i>.<type>=<n>...]
-- where <i> is the 0-based position of the space in the list (the list is sorted). The first
-- event id makes each statement's payload distinct: NOTIFY collapses identical payloads within a
-- transaction, which would merge the counts of two statements that appended the same. When the
-- counts would not fit under NOTIFY's 8000-byte limit, they are left out (<txid>:<spaces>, the
-- form of V1, whose readers fetch the events by transaction); when the spaces do not fit either,
-- <txid>:* as before. Only types of lowercase letters and underscores are counted (every type
-- Spool writes; a custom type that is not is left out: nothing counts custom types).
-- The V1 form spool_notify_events(space_ids) stays for callers that do not count.
CREATE FUNCTION spool_notify_events(space_ids text[], types text[], first_id bigint)
    RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    spaces  text[];
    list    text;
    counts  text;
    payload text;
BEGIN
    SELECT array_agg(s ORDER BY s) INTO spaces
      FROM (SELECT DISTINCT s FROM unnest(space_ids) AS u(s) WHERE s IS NOT NULL) d;
    IF spaces IS NULL THEN
        RETURN 0;
    END IF;
    list := array_to_string(spaces, ',');
    IF octet_length(list) > 7000 THEN
        PERFORM pg_notify('spool_events', txid_current()::text || ':*');
        RETURN 1;
    END IF;
    payload := txid_current()::text || ':' || list;
    SELECT string_agg((array_position(spaces, c.s) - 1)::text || '.' || c.t || '=' || c.n, ','
                      ORDER BY c.s, c.t)
      INTO counts
      FROM (SELECT u.s, u.t, count(*) AS n
              FROM unnest(space_ids, types) AS u(s, t)
             WHERE u.s IS NOT NULL AND u.t ~ '^[a-z_]+$'
             GROUP BY u.s, u.t) c;
    IF first_id IS NOT NULL
       AND octet_length(payload) + octet_length(coalesce(counts, '')) + 22 <= 7900 THEN
        payload := payload || '|' || first_id || '|' || coalesce(counts, '');
    END IF;
    PERFORM pg_notify('spool_events', payload);
    RETURN 1;
END $$;
