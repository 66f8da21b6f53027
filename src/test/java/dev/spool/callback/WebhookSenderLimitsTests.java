package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.DnsResolver;
import org.junit.jupiter.api.Test;

/**
 * The limits of the guarded sender against hostile receivers and name servers, with real sockets on
 * 127.0.0.1 (allowed here, as an operator would allow an internal range).
 */
class WebhookSenderLimitsTests {

  private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

  static CallbackProperties props(List<String> allowed) {
    return new CallbackProperties(
        true,
        4,
        100,
        Duration.ofSeconds(2),
        Duration.ofMillis(20),
        Duration.ofMinutes(2),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        List.of(Duration.ofSeconds(1)),
        0.1,
        Duration.ofHours(1),
        allowed,
        8,
        10,
        1,
        Duration.ofMinutes(1),
        4,
        100,
        8192);
  }

  private static final DnsResolver LOOPBACK_DNS =
      new DnsResolver() {
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
          return new InetAddress[] {InetAddress.getLoopbackAddress()};
        }

        @Override
        public String resolveCanonicalHostname(String host) {
          return host;
        }
      };

  /** A raw HTTP server on 127.0.0.1 that answers every request with {@code head} then closes. */
  private static final class RawServer implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger requests = new AtomicInteger();
    final Thread thread;

    RawServer(byte[] head) throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket s = socket.accept()) {
                    s.setSoTimeout(2000);
                    requests.incrementAndGet();
                    readRequestHead(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write(head);
                    out.flush();
                  } catch (IOException e) {
                    // closed, or the client hung up: both expected
                  }
                }
              });
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private static void readRequestHead(InputStream in) throws IOException {
      int matched = 0;
      byte[] end = {'\r', '\n', '\r', '\n'};
      for (int b; matched < 4 && (b = in.read()) != -1; ) {
        matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static byte[] response(String headers) {
    return ("HTTP/1.1 200 OK\r\n" + headers + "Content-Length: 2\r\nConnection: close\r\n\r\nok")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static WebhookSender.Outcome send(byte[] head) throws IOException {
    WebhookSender sender =
        new WebhookSender(props(List.of("127.0.0.0/8")), LOOPBACK_DNS, OwnPorts.none(), "test");
    try (RawServer server = new RawServer(head)) {
      return sender.post("http://127.0.0.1:" + server.port() + "/", Map.of(), BODY);
    } finally {
      sender.destroy();
    }
  }

  @Test
  void anOrdinaryResponseIsAccepted() throws IOException {
    WebhookSender.Outcome outcome = send(response("X-A: 1\r\n"));
    assertThat(outcome.statusCode()).isEqualTo(200);
    assertThat(outcome.responseBody()).isEqualTo("ok");
  }

  @Test
  void aResponseWithThousandsOfHeadersIsRefused() throws IOException {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      many.append("X-").append(i).append(": v\r\n");
    }
    WebhookSender.Outcome outcome = send(response(many.toString()));
    assertThat(outcome.statusCode()).isNull();
    assertThat(outcome.error()).isEqualTo("Response headers too large");
  }

  @Test
  void aResponseWithAHugeHeaderLineIsRefused() throws IOException {
    WebhookSender.Outcome outcome = send(response("X-Big: " + "a".repeat(200_000) + "\r\n"));
    assertThat(outcome.statusCode()).isNull();
    assertThat(outcome.error()).isEqualTo("Response headers too large");
  }

  @Test
  void aNameServerThatNeverAnswersCostsOnlyTheAttemptsDeadline() throws IOException {
    CountDownLatch release = new CountDownLatch(1);
    DnsResolver hanging =
        new DnsResolver() {
          @Override
          public InetAddress[] resolve(String host) throws UnknownHostException {
            try {
              release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host);
          }

          @Override
          public String resolveCanonicalHostname(String host) {
            return host;
          }
        };
    WebhookSender sender = new WebhookSender(props(List.of()), hanging, OwnPorts.none(), "test");
    try {
      long start = System.nanoTime();
      WebhookSender.Outcome outcome = sender.post("http://slow-dns.test/", Map.of(), BODY);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertThat(outcome.error()).isEqualTo("DNS lookup timed out");
      // the deadline is 2 s here; without it the sender would wait the full 60 s
      assertThat(seconds).isLessThan(30);
    } finally {
      release.countDown();
      sender.destroy();
    }
  }

  @Test
  void theServicesOwnPortsAreRefusedEvenInsideAllowedCidrs() throws IOException {
    try (Receiver own = Receiver.start();
        Receiver other = Receiver.start()) {
      OwnPorts ports = OwnPorts.none();
      ports.add(own.port());
      WebhookSender sender =
          new WebhookSender(props(List.of("127.0.0.0/8", "::1/128")), LOOPBACK_DNS, ports, "t");
      try {
        for (String url :
            List.of(
                own.url("/api/v1/spaces"),
                "http://localhost:" + own.port() + "/",
                "http://[::1]:" + own.port() + "/",
                "http://0.0.0.0:" + own.port() + "/")) {
          WebhookSender.Outcome outcome = sender.post(url, Map.of(), BODY);
          assertThat(outcome.error()).as(url).isEqualTo("Address not allowed");
        }
        assertThat(own.all()).isEmpty();
        assertThat(sender.post(other.url("/hook"), Map.of(), BODY).statusCode()).isEqualTo(200);
      } finally {
        sender.destroy();
      }
    }
  }
}
