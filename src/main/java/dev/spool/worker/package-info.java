/**
 * The worker API: poll and long poll (claiming in one {@code FOR UPDATE SKIP LOCKED} statement),
 * ack, complete, fail, kill, the batch forms of those, and the worker events (progress, checkpoint,
 * custom event, keepalive), and the long polls that wait for work. Every transition is one guarded
 * UPDATE with its event; the statements themselves live in {@code dev.spool.job} ({@code ClaimSql},
 * {@code TransitionSql}, {@code WorkerEventSql}), where the retry-or-dead rule is shared with the
 * timeout rescuer.
 */
package dev.spool.worker;
