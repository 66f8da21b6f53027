/**
 * A space's time series ({@code GET /spaces/:id/stats}): a background roll-up folds job events into
 * one {@code job_stats} row per space per minute with log-scale duration histograms, and the
 * endpoint reads them back in aligned steps.
 */
package dev.spool.stats;
