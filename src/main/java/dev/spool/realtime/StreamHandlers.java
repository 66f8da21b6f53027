package dev.spool.realtime;

import dev.spool.common.Timestamps;
import dev.spool.job.JobStatus;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/** The two WebSocket endpoints: one job ({@link Job}) and a whole space ({@link Space}). */
final class StreamHandlers {

  private static final Logger log = LoggerFactory.getLogger(StreamHandlers.class);
  private static final String OUTBOX = "spool.outbox";
  private static final String HUB = "spool.hub";
  static final CloseStatus TOO_MANY = new CloseStatus(1013, "Too many connections, retry later");
  static final CloseStatus UNAVAILABLE =
      CloseStatus.SERVER_ERROR.withReason("Stream unavailable, retry");

  private StreamHandlers() {}

  /** Behaviour both endpoints share: an outbox per connection, a held hub, clean-up on close. */
  abstract static class Base extends AbstractWebSocketHandler {
    final RealtimeFeed feed;
    final Connections connections;
    final Frames frames;
    final Clock clock;

    Base(RealtimeFeed feed, Connections connections, Frames frames, Clock clock) {
      this.feed = feed;
      this.connections = connections;
      this.frames = frames;
      this.clock = clock;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws Exception {
      Outbox out = connections.open(session);
      session.getAttributes().put(OUTBOX, out);
      String jobId = (String) session.getAttributes().get(RealtimeHandshake.JOB_ID);
      if (connections.full(true) || (jobId != null && connections.jobFull(jobId, true))) {
        out.close(TOO_MANY); // "try again later"
        return;
      }
      String spaceId = (String) session.getAttributes().get(RealtimeHandshake.SPACE_ID);
      SpaceHub hub;
      try {
        hub = feed.acquire(spaceId);
      } catch (Exception e) {
        log.warn("No stream for space {}: {}", spaceId, e.toString());
        out.close(UNAVAILABLE);
        return;
      }
      session.getAttributes().put(HUB, hub);
      subscribe(session, out, hub);
    }

    abstract void subscribe(WebSocketSession session, Outbox out, SpaceHub hub);

    String now() {
      return Timestamps.format(clock.instant());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
      Outbox out = (Outbox) session.getAttributes().get(OUTBOX);
      SpaceHub hub = (SpaceHub) session.getAttributes().remove(HUB);
      if (out != null) {
        out.close(status); // marks it closed; the hub drops it lazily (see purgeClosed)
        connections.closed(out);
        if (hub != null) {
          feed.release(hub);
        }
      }
    }
  }

  /** {@code /api/v1/realtime/:jobId}: init, then the job's events, closing after the last. */
  static final class Job extends Base {
    private final FeedQueries queries;

    Job(
        RealtimeFeed feed,
        Connections connections,
        Frames frames,
        Clock clock,
        FeedQueries queries) {
      super(feed, connections, frames, clock);
      this.queries = queries;
    }

    @Override
    void subscribe(WebSocketSession session, Outbox out, SpaceHub hub) {
      String jobId = (String) session.getAttributes().get(RealtimeHandshake.JOB_ID);
      boolean full = (Boolean) session.getAttributes().get(RealtimeHandshake.FULL_VIEW);
      SpaceHub.JobSubscriber subscriber = new SpaceHub.JobSubscriber(jobId, full, out);
      // subscribe first, then read the state: events committed before the read may reach the
      // subscriber too (queued meanwhile, or fetched later by a lagging feed), and the hub drops
      // the ones the state already shows
      hub.addJobSubscriber(subscriber);
      FeedQueries.JobState state = queries.jobState(jobId, full).orElse(null);
      if (state == null) {
        out.close(CloseStatus.NORMAL.withReason("Job not found"));
        return;
      }
      String init = frames.init(jobId, state.status(), initData(state, full), now());
      boolean terminal =
          JobStatus.fromWire(state.status()).map(JobStatus::isTerminal).orElse(false);
      hub.startJob(subscriber, init, terminal, state.snapshot());
    }

    /** {@code progress} for everyone; result, last error and attempt for full viewers. */
    private String initData(FeedQueries.JobState s, boolean full) {
      StringBuilder b = new StringBuilder("{\"progress\":").append(raw(s.progress()));
      if (full) {
        b.append(",\"result\":").append(raw(s.result()));
        b.append(",\"lastError\":").append(frames.json(s.lastError()));
        b.append(",\"attemptNumber\":").append(s.attemptNumber());
      }
      return b.append('}').toString();
    }

    private static String raw(String json) {
      return json == null ? "null" : json;
    }
  }

  /** {@code /api/v1/realtime/spaces/:spaceId}: connected, then every event of the space. */
  static final class Space extends Base {
    Space(RealtimeFeed feed, Connections connections, Frames frames, Clock clock) {
      super(feed, connections, frames, clock);
    }

    @Override
    void subscribe(WebSocketSession session, Outbox out, SpaceHub hub) {
      Long since = (Long) session.getAttributes().get(RealtimeHandshake.SINCE);
      String instance = (String) session.getAttributes().get(RealtimeHandshake.SINCE_INSTANCE);
      hub.addSpaceSubscriber(out, since, instance, now());
    }
  }
}
