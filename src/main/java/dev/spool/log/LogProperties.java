package dev.spool.log;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Job log limits (docs/api.md §4.3, §4.4).
 *
 * @param maxLinesPerRequest most records one {@code POST /jobs/:id/logs} may carry (more: 413)
 * @param maxBatchSize largest batch, counted uncompressed (more: 413, found while inflating)
 * @param defaultPageSize records per {@code GET /jobs/:id/logs} page when {@code limit} is absent
 * @param maxPageSize the largest {@code limit} accepted
 * @param pageBudget the most log text (message and data, in bytes) one page returns; a page stops
 *     early at it (always holding at least one record) and its {@code nextCursor} continues
 */
@Validated
@ConfigurationProperties("spool.logs")
record LogProperties(
    @DefaultValue("1000") int maxLinesPerRequest,
    @DefaultValue("1MB") DataSize maxBatchSize,
    @DefaultValue("200") int defaultPageSize,
    @DefaultValue("1000") int maxPageSize,
    @DefaultValue("1MB") DataSize pageBudget) {}
