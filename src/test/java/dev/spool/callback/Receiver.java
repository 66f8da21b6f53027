package dev.spool.callback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request and
 * answers with scripted responses (200 when nothing is scripted).
 */
public final class Receiver implements AutoCloseable {

  public record Request(
      String method, String path, Map<String, String> headers, String body, Instant at) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  record Reply(int status, Map<String, String> headers, String body, long delayMs) {
    static Reply of(int status) {
      return new Reply(status, Map.of(), "", 0);
    }

    /** A 200 whose body arrives one byte every 300 ms, for as long as the client listens. */
    static Reply trickle() {
      return new Reply(200, Map.of(), "", -1);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final LinkedBlockingQueue<Request> received = new LinkedBlockingQueue<>();
  private final List<Request> all = java.util.Collections.synchronizedList(new ArrayList<>());
  private final Deque<Reply> script = new ArrayDeque<>();

  private Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static Receiver start() {
    try {
      return new Receiver();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Replies to the next requests in order; afterwards 200. */
  synchronized Receiver reply(Reply... replies) {
    script.addAll(List.of(replies));
    return this;
  }

  private synchronized Reply nextReply() {
    Reply r = script.poll();
    return r == null ? Reply.of(200) : r;
  }

  /** The next request, or null after the timeout. */
  public Request next(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public List<Request> all() {
    synchronized (all) {
      return List.copyOf(all);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    Map<String, String> headers = new TreeMap<>();
    ex.getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Request request =
        new Request(
            ex.getRequestMethod(), ex.getRequestURI().getPath(), headers, body, Instant.now());
    all.add(request);
    received.add(request);
    Reply reply = nextReply();
    try {
      if (reply.delayMs() < 0) {
        trickle(ex);
        return;
      }
      if (reply.delayMs() > 0) {
        Thread.sleep(reply.delayMs());
      }
      reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      ex.close();
    }
  }

  private static void trickle(HttpExchange ex) throws IOException, InterruptedException {
    ex.sendResponseHeaders(200, 0); // chunked
    OutputStream os = ex.getResponseBody();
    try {
      for (int i = 0; i < 100; i++) {
        os.write('x');
        os.flush();
        Thread.sleep(300);
      }
    } catch (IOException e) {
      // the client gave up: expected
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
