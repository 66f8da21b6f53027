/**
 * Jobs as the producer sees them: create (validation, one multi-row insert with its events,
 * idempotency keys, group commit), read one job, list a space's jobs, page a job's events, retry a
 * dead or killed job; plus the status enum with its transition table ({@code JobStatus}), the event
 * types ({@code JobEventType}), {@code JobGuard} that explains a guarded update that changed
 * nothing, and the per-status counts. The SQL of these reads and writes sits in text blocks next to
 * the code that runs it.
 */
package dev.spool.job;
