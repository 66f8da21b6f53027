package dev.spool.realtime;

import dev.spool.support.TestApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * A real WebSocket client for tests (the JDK's). Frames arrive in a queue; the close code is
 * recorded. With {@code paused}, it takes only the first frame and then stops reading from its
 * socket until {@link #resume()} — a consumer that cannot keep up.
 */
public final class WsClient implements WebSocket.Listener {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();
  final java.util.concurrent.atomic.AtomicInteger pings =
      new java.util.concurrent.atomic.AtomicInteger();
  private final boolean paused;
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  private WsClient(boolean paused) {
    this.paused = paused;
  }

  public static WsClient open(String url, Map<String, String> headers) {
    return open(url, headers, false);
  }

  public static WsClient open(String url, Map<String, String> headers, boolean paused) {
    WsClient client = new WsClient(paused);
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    client.socket = b.buildAsync(URI.create(url), client).join();
    return client;
  }

  /** The HTTP status of a refused upgrade. */
  static int refusedStatus(String url, Map<String, String> headers) {
    try {
      WsClient c = open(url, headers);
      c.socket.abort();
      throw new AssertionError("upgrade to " + url + " was accepted");
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(TestApi.JSON.readTree(partial.toString()));
      partial.setLength(0);
    }
    if (!paused || frames.isEmpty()) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
    pings.incrementAndGet(); // the JDK answers with a pong by itself
    if (!paused) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  /** Starts reading again (after {@code paused}). */
  void resume() {
    socket.request(Long.MAX_VALUE);
  }

  public JsonNode next() throws InterruptedException {
    JsonNode f = frames.poll(15, TimeUnit.SECONDS);
    if (f == null) {
      throw new AssertionError("no frame within 15 s");
    }
    return f;
  }

  /** The next frame, skipping frames of other jobs (space streams see every job). */
  public List<JsonNode> next(int n) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(next());
    }
    return out;
  }

  public int closeCode() throws Exception {
    return closed.get(15, TimeUnit.SECONDS);
  }

  public void close() {
    if (!closed.isDone()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
  }

  void abort() {
    socket.abort();
  }
}
