package dev.spool.job;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Page sizes of {@code GET /spaces/:id/jobs} (docs/api.md §4.4, §9).
 *
 * @param defaultLimit jobs per page when {@code limit} is not given
 * @param maxLimit the largest {@code limit} accepted; larger values are a 400
 * @param maxOffset the largest {@code offset} accepted: PostgreSQL walks past every skipped row, so
 *     one deep offset request scans and sorts most of a space; beyond it the 400 points at the
 *     cursor
 */
@Validated
@ConfigurationProperties("spool.jobs.list")
record JobListProperties(
    @DefaultValue("50") int defaultLimit,
    @DefaultValue("100") int maxLimit,
    @DefaultValue("10000") int maxOffset) {}
