package dev.spool.realtime;

import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * The bounded send buffer of one connection. {@link #offer} never blocks — the feed thread that
 * fans events out must not wait for any client — and sends go out one at a time through the
 * container's asynchronous API. A client that lets the buffer overflow, or does not take one frame
 * within the send time limit, is closed with 1008 (policy violation): it can reconnect (space
 * streams with {@code since}) instead of making the server hold ever more memory.
 */
final class Outbox {

  static final CloseStatus TOO_SLOW =
      CloseStatus.POLICY_VIOLATION.withReason("Send buffer overflow: consumer too slow");

  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  private static final String BLOCKING_SEND_TIMEOUT =
      "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";
  private static final byte[] PING = "spool".getBytes(StandardCharsets.US_ASCII);

  private final WebSocketSession session;
  private final Session nativeSession;
  private final int maxFrames;
  private final long maxBytes;
  private final long sendTimeLimitNanos;
  private final Executor closer;
  private final Runnable onOverflow;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean sending;
  private Thread pumper;
  private long sendStartedNanos;
  private CloseStatus closeWhenDrained;
  private boolean closed;
  private CloseStatus closeAfterSend;

  Outbox(
      WebSocketSession session,
      RealtimeProperties properties,
      Executor closer,
      Runnable onOverflow) {
    this.session = session;
    this.nativeSession = ((NativeWebSocketSession) session).getNativeSession(Session.class);
    this.maxFrames = properties.sendBufferFrames();
    this.maxBytes = properties.sendBufferSize().toBytes();
    this.sendTimeLimitNanos = properties.sendTimeLimit().toNanos();
    this.closer = closer;
    this.onOverflow = onOverflow;
    nativeSession.getAsyncRemote().setSendTimeout(properties.sendTimeLimit().toMillis());
    // Tomcat: how long a blocking send (the close frame, a ping) may wait for a stuck socket
    nativeSession
        .getUserProperties()
        .put(BLOCKING_SEND_TIMEOUT, Math.min(properties.sendTimeLimit().toMillis(), 5000L));
  }

  /** Queues a frame; false when the connection is closed or was just closed for overflowing. */
  boolean offer(String frame) {
    synchronized (this) {
      if (closed || closeWhenDrained != null) {
        return false;
      }
      long bytes = frame.length();
      if (queue.size() + 1 > maxFrames || queuedBytes + bytes > maxBytes) {
        onOverflow.run();
        close(TOO_SLOW);
        return false;
      }
      queue.add(frame);
      queuedBytes += bytes;
    }
    pump();
    return true;
  }

  /** Closes with {@code status} once every queued frame has been handed to the socket. */
  void closeAfterDrain(CloseStatus status) {
    synchronized (this) {
      if (closed || closeWhenDrained != null) {
        return;
      }
      closeWhenDrained = status;
    }
    pump();
  }

  /** The connection's session attributes (what its upgrade decided). */
  java.util.Map<String, Object> attributes() {
    return session.getAttributes();
  }

  /**
   * Closes now, dropping what is queued. A frame already handed to the container is let finish
   * first — the container cannot send a close frame in the middle of another — so a slow client
   * that reads again finds the close code after it; if it never reads, the send time limit ends the
   * connection. The close handshake runs on another thread: it may block.
   */
  synchronized void close(CloseStatus status) {
    if (closed) {
      return;
    }
    closed = true;
    queue.clear();
    queuedBytes = 0;
    if (sending) {
      closeAfterSend = status;
    } else {
      closeSession(status);
    }
  }

  private void closeSession(CloseStatus status) {
    closer.execute(
        () -> {
          try {
            session.close(status);
          } catch (Exception e) {
            log.debug("Closing {} failed: {}", session.getId(), e.toString());
          }
        });
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** Closes the connection with 1008 when its current send exceeded the time limit. */
  synchronized void checkSendTime() {
    if (sending && System.nanoTime() - sendStartedNanos > sendTimeLimitNanos) {
      if (!closed) {
        onOverflow.run();
      }
      closed = true;
      queue.clear();
      queuedBytes = 0;
      sending = false; // give up on the stuck frame: the close may be abrupt (1006)
      closeAfterSend = null;
      closeSession(TOO_SLOW);
    }
  }

  /**
   * Pings an idle connection (a busy one is evidently alive). The ping is sent outside the lock, as
   * the container may block on it, while {@code sending} keeps frames from interleaving.
   */
  void ping() {
    synchronized (this) {
      if (closed || sending || !queue.isEmpty() || closeWhenDrained != null) {
        return;
      }
      sending = true;
      sendStartedNanos = System.nanoTime();
    }
    try {
      nativeSession.getAsyncRemote().sendPing(ByteBuffer.wrap(PING));
    } catch (Exception e) {
      log.debug("Ping to {} failed: {}", session.getId(), e.toString());
    } finally {
      synchronized (this) {
        sending = false;
        if (closeAfterSend != null) {
          closeSession(closeAfterSend);
          closeAfterSend = null;
        }
      }
      pump();
    }
  }

  /**
   * Sends queued frames, one in flight at a time. The container is always called outside this
   * object's lock (and callers never hold it): a close running on another thread holds the
   * container's session lock while it calls back into Spool, so calling the container under our
   * lock could deadlock. A completion may run inline, inside sendText, on this very thread: {@code
   * pumper} turns that into another turn of this loop instead of a recursion as deep as the queue.
   */
  private void pump() {
    while (true) {
      String next;
      synchronized (this) {
        if (pumper != null || sending || closed) {
          return;
        }
        next = queue.poll();
        if (next == null) {
          if (closeWhenDrained != null) {
            CloseStatus status = closeWhenDrained;
            closeWhenDrained = null;
            close(status);
          }
          return;
        }
        queuedBytes -= next.length();
        sending = true;
        sendStartedNanos = System.nanoTime();
        pumper = Thread.currentThread();
      }
      try {
        nativeSession.getAsyncRemote().sendText(next, this::sent);
      } catch (RuntimeException e) {
        synchronized (this) {
          sending = false;
        }
        close(CloseStatus.SESSION_NOT_RELIABLE);
      } finally {
        synchronized (this) {
          pumper = null;
        }
      }
    }
  }

  private void sent(SendResult result) {
    CloseStatus closeNow = null;
    synchronized (this) {
      sending = false;
      if (closeAfterSend != null) {
        closeNow = closeAfterSend;
        closeAfterSend = null;
      } else if (!result.isOK() && !closed) {
        Throwable cause = result.getException();
        log.debug("Send to {} failed: {}", session.getId(), String.valueOf(cause));
        if (cause instanceof java.net.SocketTimeoutException) {
          onOverflow.run();
          close(TOO_SLOW);
        } else {
          close(CloseStatus.SESSION_NOT_RELIABLE);
        }
        return;
      }
      if (pumper == Thread.currentThread()) {
        return; // completed inline: the pumping loop goes on
      }
    }
    if (closeNow != null) {
      closeSession(closeNow);
      return;
    }
    pump();
  }
}
