package dev.spool.realtime;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the realtime WebSocket streams (docs/api.md §8).
 *
 * @param pingInterval how often the server pings each idle connection
 * @param sendBufferFrames most frames queued for one connection; one more closes it with 1008
 * @param sendBufferSize most bytes queued for one connection; more closes it with 1008 (keep it
 *     above the largest possible frame: event data may be up to {@code spool.limits.document})
 * @param sendTimeLimit longest one frame may take to reach the client's socket before the
 *     connection is closed with 1008
 * @param replayFrames frames kept per space for reconnecting space streams ({@code since})
 * @param replaySize most bytes kept per space for replay; the oldest frames go first
 * @param idleStreamGrace how long a space keeps its stream instance (and replay buffer) after its
 *     last subscriber left, so a client that reconnects within it continues without a gap
 * @param fetchQueue most committed transactions waiting to be fetched; beyond it the streams of
 *     this instance restart (subscribers are closed with 1012 and reconnect with {@code missed:
 *     true}) instead of growing memory
 * @param visibilityWait how long the feed waits for a notified transaction's events to become
 *     readable before the space's stream restarts; on Citus a transaction that wrote through two
 *     workers is committed there (two-phase) just after its notification was sent
 * @param maxConnections most realtime connections open on this instance; more upgrades answer 503
 * @param maxConnectionsPerJob most job-stream connections to one job on this instance (keyed or
 *     token-less); more upgrades answer 429
 */
@Validated
@ConfigurationProperties("spool.realtime")
public record RealtimeProperties(
    @DefaultValue("30s") Duration pingInterval,
    @DefaultValue("1000") int sendBufferFrames,
    @DefaultValue("4MB") DataSize sendBufferSize,
    @DefaultValue("10s") Duration sendTimeLimit,
    @DefaultValue("1000") int replayFrames,
    @DefaultValue("8MB") DataSize replaySize,
    @DefaultValue("60s") Duration idleStreamGrace,
    @DefaultValue("100000") int fetchQueue,
    @DefaultValue("5s") Duration visibilityWait,
    @DefaultValue("10000") int maxConnections,
    @DefaultValue("100") int maxConnectionsPerJob) {}
