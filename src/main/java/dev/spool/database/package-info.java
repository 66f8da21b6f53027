/**
 * PostgreSQL plumbing shared by the features: the embedded PostgreSQL started when no database is
 * configured, the startup failure analysis, durable and group commits ({@code DurableCommits},
 * {@code GroupCommit}), and {@code PgNotifications}, the one LISTEN connection that carries
 * cross-instance notifications to in-process listeners. No feature SQL lives here.
 */
package dev.spool.database;
