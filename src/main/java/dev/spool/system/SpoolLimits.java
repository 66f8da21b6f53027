package dev.spool.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Request size and shape limits (docs/api.md §3 and §9).
 *
 * @param jobsPerRequest most jobs one create request may carry
 * @param requestBody largest request body accepted
 * @param document largest serialized payload, result, checkpoint or event data
 * @param maxJsonDepth deepest JSON nesting accepted
 */
@Validated
@ConfigurationProperties("spool.limits")
public record SpoolLimits(
    @DefaultValue("1000") int jobsPerRequest,
    @DefaultValue("10MB") DataSize requestBody,
    @DefaultValue("1MB") DataSize document,
    @DefaultValue("100") int maxJsonDepth) {}
