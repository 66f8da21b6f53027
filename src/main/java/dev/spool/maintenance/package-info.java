/**
 * The queue's housekeeping, each a small class with {@code runOnce()} on its own {@code
 * BackgroundLoop}: promoting due scheduled jobs, rescuing jobs whose execution timed out, deleting
 * terminal jobs past retention, and purging expired idempotency keys.
 */
package dev.spool.maintenance;
