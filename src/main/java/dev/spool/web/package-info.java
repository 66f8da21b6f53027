/**
 * The HTTP contract shared by every endpoint: the error body and the one place exceptions become
 * it, JSON bodies read with size, depth and token limits, body limits decided before parsing, query
 * parameters, the rules for URLs and headers a client asks Spool to send to, database outages
 * answered as 503, and the hand-written OpenAPI document served at {@code /v3/api-docs}.
 */
package dev.spool.web;
