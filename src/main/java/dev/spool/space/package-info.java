/**
 * Spaces and API keys: who is calling ({@code Caller}, put on the request by {@code ApiKeyFilter}
 * and rate-limited by {@code RateLimitFilter}), scopes, the admin API for spaces and keys, a
 * space's push and Slack settings, and the first-start bootstrap that prints the first keys.
 */
package dev.spool.space;
