package dev.spool.callback;

import dev.spool.common.BackgroundLoop;
import dev.spool.database.PgNotifications;
import dev.spool.database.SpaceRouting;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Wires the webhook feature: one guarded sender shared by callbacks, push and Slack; the callback
 * dispatcher and the notifier, each driven by a {@link BackgroundLoop} unless {@code
 * spool.callbacks.enabled=false} (the outbox is still written then, for another instance).
 */
@Configuration(proxyBeanMethods = false)
class WebhookConfig {

  /** The resolver behind the address guard; tests replace it with a made-up name map. */
  @Bean
  DnsResolver webhookDnsResolver() {
    return SystemDefaultDnsResolver.INSTANCE;
  }

  @Bean
  WebhookSender webhookSender(
      CallbackProperties props,
      DnsResolver dns,
      OwnPorts ownPorts,
      @Value("${spool.version:dev}") String version) {
    return new WebhookSender(props, dns, ownPorts, version);
  }

  @Bean
  RetrySchedule callbackRetrySchedule(CallbackProperties props) {
    return new RetrySchedule(
        props.retryDelays(),
        props.jitter(),
        props.retryAfterCap(),
        () -> ThreadLocalRandom.current().nextDouble());
  }

  @Bean(destroyMethod = "shutdown")
  CallbackDispatcher callbackDispatcher(
      CallbackOutbox outbox,
      WebhookSender sender,
      RetrySchedule schedule,
      CallbackProperties props,
      Clock clock,
      PgNotifications notifications) {
    CallbackDispatcher dispatcher = new CallbackDispatcher(outbox, sender, schedule, props, clock);
    notifications.addListener(dispatcher);
    return dispatcher;
  }

  @Bean(destroyMethod = "shutdown")
  SpaceNotifier spaceNotifier(
      JdbcClient jdbc,
      WebhookSender sender,
      CallbackProperties props,
      PgNotifications notifications,
      SpaceRouting routing) {
    SpaceNotifier notifier = new SpaceNotifier(jdbc, sender, props, routing);
    notifications.addListener(notifier);
    return notifier;
  }

  @Bean
  @ConditionalOnProperty(
      name = "spool.callbacks.enabled",
      havingValue = "true",
      matchIfMissing = true)
  BackgroundLoop callbackLoop(CallbackDispatcher dispatcher, CallbackProperties props) {
    return new BackgroundLoop("callbacks", props.pollInterval(), dispatcher::runOnce);
  }

  @Bean
  @ConditionalOnProperty(
      name = "spool.callbacks.enabled",
      havingValue = "true",
      matchIfMissing = true)
  BackgroundLoop notificationLoop(SpaceNotifier notifier, CallbackProperties props) {
    return new BackgroundLoop("space-notifications", props.pollInterval(), notifier::runOnce);
  }
}
