package dev.spool.space;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * API key settings.
 *
 * @param prefix what every generated key starts with
 * @param cacheTtl how long a resolved (or unknown) key is remembered; a revoked key stops working
 *     within this time on every instance
 * @param cacheSize most keys remembered at once
 */
@ConfigurationProperties("spool.keys")
public record KeyProperties(
    @DefaultValue("emit_") String prefix,
    @DefaultValue("5s") Duration cacheTtl,
    @DefaultValue("100000") long cacheSize) {}
