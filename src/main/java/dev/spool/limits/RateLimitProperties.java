package dev.spool.limits;

import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The per-key request rate limit (docs/api.md §9; environment {@code SPOOL_RATE_LIMIT_PER_KEY}).
 *
 * @param rateLimitPerKey requests per second each API key may make (a token bucket holding one
 *     second's worth, so short bursts up to this many pass at once); 0 turns the default limit off.
 *     A key's own limit, set through {@code PATCH /api/v1/keys/:id}, takes precedence.
 * @param rateLimitMaxKeys most API keys whose token buckets are held in memory at once; an idle
 *     key's bucket is forgotten after a minute (it would be full again anyway)
 */
@Validated
@ConfigurationProperties("spool")
public record RateLimitProperties(
    @DefaultValue("1000") @PositiveOrZero int rateLimitPerKey,
    @DefaultValue("100000") @Positive long rateLimitMaxKeys) {}
