/**
 * Limits on what one client may cost the service: the per-API-key token buckets ({@code
 * RateLimiter}, applied by space's {@code RateLimitFilter}) and per-address throttles for failed
 * key lookups, WebSocket upgrades and dashboard sign-ins, all in memory and per instance.
 */
package dev.spool.limits;
