package dev.spool.realtime;

import dev.spool.common.BackgroundLoop;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registers the realtime endpoints (plain WebSocket handlers, no STOMP/SockJS). Any origin may
 * connect: access is decided by the key, never by cookies, so there is no cross-site request to
 * forge, and the public progress key is meant to be used from other sites' front ends.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class RealtimeConfig implements WebSocketConfigurer {

  private final RealtimeHandshake handshake;
  private final StreamHandlers.Job job;
  private final StreamHandlers.Space space;

  RealtimeConfig(
      RealtimeHandshake handshake,
      RealtimeFeed feed,
      Connections connections,
      Frames frames,
      Clock clock,
      FeedQueries queries) {
    this.handshake = handshake;
    this.job = new StreamHandlers.Job(feed, connections, frames, clock, queries);
    this.space = new StreamHandlers.Space(feed, connections, frames, clock);
  }

  @Override
  public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
    registry
        .addHandler(space, RealtimeHandshake.SPACE_PATH + "*")
        .addInterceptors(handshake)
        .setAllowedOriginPatterns("*");
    registry
        .addHandler(job, RealtimeHandshake.JOB_PATH + "*")
        .addInterceptors(handshake)
        .setAllowedOriginPatterns("*");
  }

  @Configuration(proxyBeanMethods = false)
  static class Beans {
    @Bean
    Frames realtimeFrames(JsonMapper mapper) {
      return new Frames(mapper);
    }

    /** The feed thread; 100 ms is the first pause after a failed turn (doubling from there). */
    @Bean
    BackgroundLoop realtimeFeedLoop(RealtimeFeed feed) {
      return new BackgroundLoop(
          "realtime-feed", Duration.ofMillis(100), feed, SmartLifecycle.DEFAULT_PHASE);
    }
  }
}
