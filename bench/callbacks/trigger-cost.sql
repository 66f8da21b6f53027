-- Cost of the callback outbox trigger on terminal transitions (run against a scratch database
-- migrated with V1 and V30; see run-trigger-cost.sh). Completes 20 000 jobs per case in one
-- statement, with and without the trigger, with and without callback URLs. psql \timing output.
\timing on
SET client_min_messages = warning;
TRUNCATE jobs, job_events, job_counts, callback_deliveries, callback_attempts, space_notifications CASCADE;
INSERT INTO spaces (id, name, public_key) VALUES ('BENCHSPACE', 'bench', 'pk') ON CONFLICT DO NOTHING;

CREATE OR REPLACE FUNCTION bench_jobs(prefix text, n int, url text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO jobs (id, space_id, name, status, max_retries, timeout_seconds, available_at,
                    deadline_at, callback_url)
  SELECT prefix || lpad(g::text, 8, '0'), 'BENCHSPACE', 'bench', 'running', 3, 300, now(), now(), url
    FROM generate_series(1, n) g;
$$;

\echo '--- A: no callback URL, trigger enabled (WHEN clause filters every row)'
SELECT bench_jobs('A', 20000, NULL);
UPDATE jobs SET status = 'completed', completed_at = now(), deadline_at = NULL, result = '{"ok":true}' WHERE id LIKE 'A%';

\echo '--- B: no callback URL, trigger disabled (baseline)'
ALTER TABLE jobs DISABLE TRIGGER jobs_callback_outbox;
SELECT bench_jobs('B', 20000, NULL);
UPDATE jobs SET status = 'completed', completed_at = now(), deadline_at = NULL, result = '{"ok":true}' WHERE id LIKE 'B%';

\echo '--- C: callback URL on every job, trigger disabled (baseline)'
SELECT bench_jobs('C', 20000, 'https://example.com/hook');
UPDATE jobs SET status = 'completed', completed_at = now(), deadline_at = NULL, result = '{"ok":true}' WHERE id LIKE 'C%';
ALTER TABLE jobs ENABLE TRIGGER jobs_callback_outbox;

\echo '--- D: callback URL on every job, trigger enabled (one outbox row per job)'
SELECT bench_jobs('D', 20000, 'https://example.com/hook');
UPDATE jobs SET status = 'completed', completed_at = now(), deadline_at = NULL, result = '{"ok":true}' WHERE id LIKE 'D%';

SELECT count(*) AS outbox_rows FROM callback_deliveries;
