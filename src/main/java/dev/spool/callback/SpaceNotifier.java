package dev.spool.callback;

import dev.spool.database.PgNotifications;
import dev.spool.database.SpaceRouting;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Space notifications (docs/api.md §6): HTTP push {@code job.pending} wake-ups and Slack lines.
 * Best effort by design: rows queued by the space-notification triggers are deleted as they are
 * taken (so two instances never both send one), sent once through the guarded {@link
 * WebhookSender}, and never retried; a failure is logged and counted, and nothing here ever touches
 * a job.
 */
class SpaceNotifier implements PgNotifications.Listener {

  private static final Logger log = LoggerFactory.getLogger(SpaceNotifier.class);

  /** Takes queued notifications, oldest first, with what is needed to send them now. */
  static final String TAKE =
      """
      WITH taken AS (
          DELETE FROM space_notifications
           WHERE (CAST(:space AS text) IS NULL OR space_id = :space)
             AND id IN (SELECT id FROM space_notifications
                         WHERE (CAST(:space AS text) IS NULL OR space_id = :space)
                         ORDER BY id LIMIT :limit
                           FOR UPDATE SKIP LOCKED)
          RETURNING *
      )
      SELECT t.kind, t.event, t.space_id, t.job_id, t.name, t.attempt_number, t.detail,
             t.created_at > now() - :maxAgeMs * interval '1 millisecond' AS fresh,
             s.name AS space_name, s.push_url, s.push_headers::text AS push_headers, s.slack_url
        FROM taken t JOIN spaces s ON s.id = t.space_id
       ORDER BY t.id
      """;

  record Notification(
      String kind,
      String event,
      String spaceId,
      String jobId,
      String name,
      int attemptNumber,
      String detail,
      boolean fresh,
      String spaceName,
      String pushUrl,
      String pushHeaders,
      String slackUrl) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int DETAIL_CHARS = 300;

  /** On Citus: the spaces with queued notifications (docs/scaling.md). */
  static final String CANDIDATES = "SELECT DISTINCT space_id FROM space_notifications";

  /**
   * On Citus, for a turn woken by commits: those of the notified spaces that send notifications at
   * all (a read of the reference table {@code spaces}, on the coordinator); only they can have
   * queued any.
   */
  static final String NOTIFYING_AMONG =
      """
      SELECT id FROM spaces
       WHERE id IN (:ids) AND (push_url IS NOT NULL OR slack_url IS NOT NULL)
      """;

  private final JdbcClient jdbc;
  private final SpaceRouting routing;
  private final WebhookSender sender;
  private final CallbackProperties props;
  private final ThreadPoolExecutor pool;
  private final WakeSignal wake = new WakeSignal();
  private final AtomicLong failures = new AtomicLong();

  /** On Citus: the spaces the next turn looks at ({@link NotifiedSpaces}). */
  private final NotifiedSpaces notified;

  SpaceNotifier(
      JdbcClient jdbc, WebhookSender sender, CallbackProperties props, SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
    this.sender = sender;
    this.props = props;
    this.notified = new NotifiedSpaces(props.pollInterval());
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            props.notificationSenders(),
            props.notificationSenders(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(props.notificationQueue()),
            r -> {
              Thread t = new Thread(r, "spool-notify-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardPolicy());
  }

  @Override
  public void onNotification(String channel, String payload) {
    if (routing.distributed()) { // only Citus turns take them: one PostgreSQL would only collect
      note(channel, payload);
    }
    wake.signal();
  }

  private void note(String channel, String payload) {
    if (PgNotifications.EVENTS.equals(channel)) {
      notified.add(payload);
    } else if (PgNotifications.PENDING.equals(channel)) {
      notified.addSpace(payload);
    } else {
      notified.everything();
    }
  }

  @Override
  public void onReconnect() {
    notified.everything();
    wake.signal();
  }

  /** Failed sends so far (for health and tests). */
  long failures() {
    return failures.get();
  }

  /** The loop's turn: take what fits into the queue, then wait for a wake-up or the interval. */
  boolean runOnce() {
    int took = takeAndSend();
    if (took > 0 && pool.getQueue().remainingCapacity() > 0) {
      notified.everything(); // a full take may have left more, in any space
      return true;
    }
    return wake.await(props.pollInterval(), props.wakeDelay());
  }

  /** Moves queued notifications into the bounded send queue; returns how many it took. */
  int takeAndSend() {
    int room = Math.min(pool.getQueue().remainingCapacity(), props.batchSize());
    if (room == 0) {
      return 0; // receivers are slow: leave the rest in the table until the queue drains
    }
    List<Notification> taken = new java.util.ArrayList<>();
    java.util.Set<String> only = routing.distributed() ? notified.take() : null;
    if (only != null && only.isEmpty()) {
      return 0;
    }
    routing.eachSpace(
        () ->
            only == null
                ? jdbc.sql(CANDIDATES).query(String.class).list()
                : jdbc.sql(NOTIFYING_AMONG).param("ids", only).query(String.class).list(),
        space -> {
          if (taken.size() < room) {
            taken.addAll(take(space, room - taken.size()));
          }
          return false;
        });
    for (Notification n : taken) {
      if (n.fresh()) {
        pool.execute(() -> send(n));
      }
    }
    return taken.size();
  }

  private List<Notification> take(String space, int room) {
    return jdbc.sql(TAKE)
        .param("space", space, java.sql.Types.VARCHAR)
        .param("limit", room)
        .param("maxAgeMs", props.notificationMaxAge().toMillis())
        .query(
            (rs, i) ->
                new Notification(
                    rs.getString("kind"),
                    rs.getString("event"),
                    rs.getString("space_id"),
                    rs.getString("job_id"),
                    rs.getString("name"),
                    rs.getInt("attempt_number"),
                    rs.getString("detail"),
                    rs.getBoolean("fresh"),
                    rs.getString("space_name"),
                    rs.getString("push_url"),
                    rs.getString("push_headers"),
                    rs.getString("slack_url")))
        .list();
  }

  void send(Notification n) {
    try {
      String url;
      Map<String, String> headers = new LinkedHashMap<>();
      ObjectNode body = JSON.createObjectNode();
      if ("push".equals(n.kind())) {
        url = n.pushUrl();
        if (n.pushHeaders() != null) {
          JSON.readTree(n.pushHeaders())
              .properties()
              .forEach(e -> headers.put(e.getKey(), e.getValue().asString()));
        }
        body.put("type", "job.pending");
        body.put("jobId", n.jobId());
        body.put("spaceId", n.spaceId());
        body.put("name", n.name());
      } else {
        url = n.slackUrl();
        body.put("text", slackText(n));
      }
      if (url == null) {
        return; // turned off since the row was queued
      }
      WebhookSender.Outcome outcome =
          sender.post(url, headers, JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
      if (!outcome.success()) {
        failures.incrementAndGet();
        log.debug(
            "{} notification for job {} failed: {}",
            n.kind(),
            n.jobId(),
            outcome.error() != null ? outcome.error() : "HTTP " + outcome.statusCode());
      }
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      log.debug("{} notification for job {} failed", n.kind(), n.jobId(), e);
    }
  }

  /** One short readable line, escaped for Slack's mrkdwn. */
  static String slackText(Notification n) {
    String job = "Job " + n.name() + " (" + n.jobId() + ")";
    String detail = n.detail() == null ? "" : ": " + truncate(n.detail());
    String line =
        switch (n.event()) {
          case "created" -> job + " was created";
          case "started" -> job + " started (attempt " + (n.attemptNumber() + 1) + ")";
          case "failed" ->
              job + " failed attempt " + n.attemptNumber() + " and will be retried" + detail;
          case "completed" -> job + " completed";
          case "dead" -> job + " is dead after " + (n.attemptNumber() + 1) + " attempts" + detail;
          case "killed" -> job + " was killed" + detail;
          default -> job + ": " + n.event();
        };
    return escape("[" + n.spaceName() + "] " + line);
  }

  private static String truncate(String s) {
    return s.length() <= DETAIL_CHARS ? s : s.substring(0, DETAIL_CHARS) + "…";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  void shutdown() {
    pool.shutdownNow();
  }
}
