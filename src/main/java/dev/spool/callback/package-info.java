/**
 * Callbacks and space notifications: what the API calls callbacks (one POST per terminal job, from
 * the outbox rows the {@code jobs_callback_outbox} trigger writes in the terminal transaction,
 * signed per Standard Webhooks and retried on a schedule) and notifications (HTTP push {@code
 * job.pending} wake-ups and Slack lines). One guarded HTTP client sends all of them and refuses
 * internal addresses ({@code AddressGuard}, {@code GuardedDnsResolver}, {@code OwnPorts}).
 */
package dev.spool.callback;
