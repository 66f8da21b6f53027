/**
 * The worker API: poll and long poll (claiming in one {@code FOR UPDATE SKIP LOCKED} statement),
 * ack, complete, fail, kill, the batch forms of those, and the worker events (progress, checkpoint,
 * custom event, keepalive). Every transition is one guarded UPDATE with its event; {@code
 * FailedAttempts} is the one retry-or-dead rule, shared with the timeout rescuer.
 */
package dev.spool.worker;
