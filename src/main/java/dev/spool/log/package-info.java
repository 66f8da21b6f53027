/**
 * Job logs: ingestion of NDJSON or JSON-array batches (optionally gzip, bounded while inflating)
 * and paged reads by level and time.
 */
package dev.spool.log;
