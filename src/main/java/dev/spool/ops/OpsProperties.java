package dev.spool.ops;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Operations settings: metrics.
 *
 * @param countsRefresh how often the per-space, per-status job gauges are re-read from the database
 *     (one small aggregate query per instance, never a count of the job table)
 * @param eventMetrics whether to derive the job transition and callback counters from the committed
 *     event stream (one small query per committed transaction per instance)
 * @param httpMaxSeries most {@code http.server.requests} series (method, URI template, status,
 *     exception) one instance records; requests that would add a series past it are not timed, so
 *     no input can grow the registry without bound
 */
@ConfigurationProperties("spool.ops")
public record OpsProperties(
    @DefaultValue("10s") Duration countsRefresh,
    @DefaultValue("true") boolean eventMetrics,
    @DefaultValue("2000") int httpMaxSeries) {}
