package dev.spool.database;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Durability settings.
 *
 * @param flushAfterCommit commit job writes without waiting for the disk, then wait for the disk
 *     with a separate flush before answering the client, so acknowledged writes stay durable while
 *     notifying commits stop queueing behind each other's disk flush (see {@link DurableCommits});
 *     false for plain synchronous commits
 */
@ConfigurationProperties("spool.durability")
public record DurabilityProperties(@DefaultValue("true") boolean flushAfterCommit) {}
