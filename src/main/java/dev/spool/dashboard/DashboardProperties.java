package dev.spool.dashboard;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Dashboard sign-in sessions.
 *
 * @param sessionIdleTimeout a session not used for this long is forgotten (sign in again)
 * @param sessionMaxAge a session ends this long after sign-in, however busy
 * @param maxSessions most sessions kept at once on one instance; the least recently used go first
 * @param maxSessionsPerKey most sessions one API key holds at once on one instance; a new sign-in
 *     past it ends that key's oldest session, so one key signing in over and over cannot push every
 *     other key's sessions out of the {@code maxSessions}
 */
@ConfigurationProperties("spool.dashboard")
record DashboardProperties(
    @DefaultValue("8h") Duration sessionIdleTimeout,
    @DefaultValue("24h") Duration sessionMaxAge,
    @DefaultValue("10000") long maxSessions,
    @DefaultValue("20") int maxSessionsPerKey) {}
