package dev.spool.job;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * One validated job of a create request, ready to insert.
 *
 * @param payload the payload document, or null
 * @param callbackHeaders the headers object, or null
 */
record NewJob(
    String id,
    String name,
    JsonNode payload,
    int maxRetries,
    int timeoutSeconds,
    int backoffSeconds,
    Instant scheduledFor,
    String callbackUrl,
    JsonNode callbackHeaders) {}
