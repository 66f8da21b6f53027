package dev.spool.callback;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * POSTs one webhook (callback, push or Slack message) and reports what happened, never throwing.
 * Spring {@link RestClient} over a pooled Apache HttpClient 5 whose only name resolution is the
 * {@link GuardedDnsResolver}: refused addresses fail before any socket is opened. Redirects are not
 * followed, nothing is retried inside the client, and at most {@value #KEPT_BODY} bytes of a
 * response body are read. A watchdog aborts an attempt that outlives connect + response timeout in
 * total, so a receiver trickling bytes cannot hold a sender thread beyond the lease; name
 * resolution counts against the same deadline, and response headers are limited in count and line
 * length.
 */
class WebhookSender implements DisposableBean {

  static final int KEPT_BODY = 1024;

  /** The result of one attempt: a status (any response) or an error (no response). */
  record Outcome(Integer statusCode, String error, String responseBody, String retryAfter) {
    public boolean success() {
      return statusCode != null && statusCode >= 200 && statusCode < 300;
    }
  }

  private final CloseableHttpClient client;
  private final GuardedDnsResolver resolver;
  private final RestClient rest;
  private final String userAgent;
  private final Duration deadline;
  private final ScheduledExecutorService watchdog;
  private final ThreadLocal<AtomicReference<HttpUriRequestBase>> current = new ThreadLocal<>();

  WebhookSender(CallbackProperties props, DnsResolver dns, OwnPorts ownPorts, String version) {
    AddressGuard guard = new AddressGuard(props.allowedCidrs());
    this.resolver =
        new GuardedDnsResolver(
            dns,
            guard,
            ownPorts,
            props.connectTimeout(),
            Math.max(2, props.senders() / 2 + props.notificationSenders()));
    // httpcore5 reads any number of response headers of any length by default: a hostile
    // receiver could make one attempt hold megabytes of headers in memory
    Http1Config http1 =
        Http1Config.custom()
            .setMaxHeaderCount(props.maxResponseHeaders())
            .setMaxLineLength(props.maxResponseHeaderLine())
            .build();
    PoolingHttpClientConnectionManager pool =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setDnsResolver(resolver)
            .setConnectionFactory(
                ManagedHttpClientConnectionFactory.builder().http1Config(http1).build())
            .setMaxConnTotal(props.maxConnections())
            .setMaxConnPerRoute(props.maxConnections())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(Timeout.of(props.connectTimeout()))
                    .setSocketTimeout(Timeout.of(props.responseTimeout()))
                    .setTimeToLive(TimeValue.ofMinutes(1))
                    .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                    .build())
            .build();
    this.client =
        HttpClients.custom()
            .setConnectionManager(pool)
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setResponseTimeout(Timeout.of(props.responseTimeout()))
                    .setConnectionRequestTimeout(Timeout.of(props.connectTimeout()))
                    .setRedirectsEnabled(false)
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableAuthCaching()
            .evictExpiredConnections()
            .build();
    this.rest = RestClient.builder().requestFactory(new RequestFactory(client)).build();
    this.userAgent = "spool/" + version;
    this.deadline = props.connectTimeout().plus(props.responseTimeout());
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "spool-webhook-watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  /** Remembers the request being sent on this thread so the watchdog can abort it. */
  private final class RequestFactory extends HttpComponentsClientHttpRequestFactory {
    RequestFactory(CloseableHttpClient client) {
      super(client);
    }

    @Override
    protected void postProcessHttpRequest(ClassicHttpRequest request) {
      AtomicReference<HttpUriRequestBase> slot = current.get();
      if (slot != null && request instanceof HttpUriRequestBase r) {
        slot.set(r);
      }
    }
  }

  /** POSTs {@code body} as JSON with {@code headers} (added after User-Agent and Content-Type). */
  Outcome post(String url, Map<String, String> headers, byte[] body) {
    AtomicReference<HttpUriRequestBase> slot = new AtomicReference<>();
    AtomicBoolean timedOut = new AtomicBoolean();
    current.set(slot);
    GuardedDnsResolver.withDeadline(System.nanoTime() + deadline.toNanos());
    ScheduledFuture<?> abort =
        watchdog.schedule(
            () -> {
              HttpUriRequestBase r = slot.get();
              if (r != null) {
                timedOut.set(true);
                r.cancel();
              }
            },
            deadline.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      return rest.post()
          .uri(URI.create(url))
          .header(HttpHeaders.USER_AGENT, userAgent)
          .headers(h -> headers.forEach(h::set))
          .contentType(MediaType.APPLICATION_JSON)
          .body(body)
          .exchange(
              (request, response) -> {
                int status = response.getStatusCode().value();
                InputStream in = response.getBody();
                byte[] head = in.readNBytes(KEPT_BODY);
                HttpUriRequestBase r = slot.get();
                if (head.length == KEPT_BODY && r != null && in.read() != -1) {
                  // more than we keep: drop the connection instead of draining the rest
                  r.cancel();
                }
                return new Outcome(
                    status,
                    null,
                    text(head),
                    response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER));
              });
    } catch (RuntimeException e) {
      String error =
          timedOut.get() ? "Timed out after " + deadline.toMillis() + " ms" : describe(e);
      return new Outcome(null, error, null, null);
    } finally {
      abort.cancel(false);
      current.remove();
      GuardedDnsResolver.clearDeadline();
    }
  }

  /** A short human sentence for an attempt that got no response. */
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof GuardedDnsResolver.AddressNotAllowedException) {
        return AddressGuard.REFUSED;
      }
      if (t instanceof GuardedDnsResolver.LookupTimedOutException) {
        return "DNS lookup timed out";
      }
      if (t instanceof MessageConstraintException) {
        return "Response headers too large";
      }
      if (t instanceof ConnectTimeoutException) {
        return "Connect timed out";
      }
      if (t instanceof SocketTimeoutException) {
        return "Timed out waiting for the response";
      }
      if (t instanceof ConnectException) {
        return "Connection refused";
      }
      if (t instanceof UnknownHostException) {
        return "Unknown host " + t.getMessage();
      }
      if (t.getCause() == null) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
      }
    }
    return "Request failed";
  }

  /** Response text as kept: UTF-8, invalid bytes replaced, NUL removed (PostgreSQL text). */
  static String text(byte[] bytes) {
    if (bytes.length == 0) {
      return null;
    }
    return new String(bytes, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
  }

  @Override
  public void destroy() throws IOException {
    watchdog.shutdownNow();
    client.close();
    resolver.close();
  }
}
