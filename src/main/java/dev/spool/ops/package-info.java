/**
 * What operators watch: health indicators (database, LISTEN connection, background loops),
 * Prometheus metrics (job gauges, job event counters, HTTP series, latency histograms) and the
 * request log with secrets redacted. Depends on the features it observes; nothing depends on it.
 */
package dev.spool.ops;
