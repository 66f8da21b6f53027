-- Issue 17: every row of a job's tables names its space, so that a distributed PostgreSQL (Citus,
-- SPOOL_DISTRIBUTED=citus) can keep a job's logs and callback attempts on the node that holds the
-- job. On plain PostgreSQL the column costs a few bytes per row and changes no statement's plan.
ALTER TABLE job_logs ADD COLUMN space_id text COLLATE "C";
UPDATE job_logs l SET space_id = j.space_id FROM jobs j WHERE j.id = l.job_id;
ALTER TABLE job_logs ALTER COLUMN space_id SET NOT NULL;

ALTER TABLE callback_attempts ADD COLUMN space_id text COLLATE "C";
UPDATE callback_attempts a SET space_id = d.space_id FROM callback_deliveries d WHERE d.id = a.delivery_id;
ALTER TABLE callback_attempts ALTER COLUMN space_id SET NOT NULL;
