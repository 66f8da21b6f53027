/**
 * The WebSocket streams of one job and of a whole space: handshake and authorization (checked again
 * while a stream stays open), per-space hubs fed by one {@code RealtimeFeed} that reads the
 * committed job events after each notification, snapshot-consistent starts, and bounded outboxes
 * per connection.
 */
package dev.spool.realtime;
