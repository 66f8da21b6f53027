package dev.spool.limits;

import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per client address, in events per second (a bucket holds one second's worth); 0 turns one off.
 *
 * @param failedAuthPerSecond requests with a well-formed but unknown or revoked key; past it
 *     requests from that address whose key is not already known valid answer 429
 * @param upgradesPerSecond WebSocket upgrade requests, valid or not
 * @param signInsPerSecond dashboard sign-in attempts, valid or not
 * @param maxAddresses most addresses tracked at once per throttle (idle ones are forgotten after a
 *     minute)
 */
@Validated
@ConfigurationProperties("spool.abuse")
public record AbuseProperties(
    @DefaultValue("10") @PositiveOrZero int failedAuthPerSecond,
    @DefaultValue("100") @PositiveOrZero int upgradesPerSecond,
    @DefaultValue("5") @PositiveOrZero int signInsPerSecond,
    @DefaultValue("100000") @Positive long maxAddresses) {}
