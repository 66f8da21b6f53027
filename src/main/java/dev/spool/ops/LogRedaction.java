package dev.spool.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.spool.space.KeyProperties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Last line of defence: a log line that would carry an API key (or a webhook signing secret) never
 * reaches an appender, neither in its message nor in its exception's messages. Spring MVC at DEBUG
 * prints the query string (where WebSocket clients put {@code ?token=}), exception messages may
 * quote input; rather than trusting every logger, each enabled event whose message or string
 * arguments contain a {@code ?token=} value or something shaped like a key is logged again with
 * those parts replaced by {@value #REDACTED}. The first-start banner ({@code Bootstrap}) is the one
 * exception, by contract (docs/api.md §7). Logback only (Spring Boot's default); only events that
 * pass the level check pay for the scan.
 */
@Component
class LogRedaction extends TurboFilter {

  static final String REDACTED = "[redacted]";
  static final String NAME = "spool-key-redaction";
  private static final String BOOTSTRAP_LOGGER = "dev.spool.space.Bootstrap";

  /** Set while this filter re-logs a cleaned event, so that event is never inspected again. */
  private static final ThreadLocal<Boolean> RELOGGING = new ThreadLocal<>();

  private final Pattern secrets;
  private final LoggerContext context;

  LogRedaction(KeyProperties keys) {
    this.secrets = pattern(keys.prefix());
    setName(NAME);
    this.context = LoggerFactory.getILoggerFactory() instanceof LoggerContext lc ? lc : null;
    if (context != null) {
      // One per JVM, even when tests start several application contexts, and never removed:
      // the filter is stateless, and removing it when one context closes would leave every
      // other context in the JVM unredacted.
      synchronized (LogRedaction.class) {
        current = this;
        install(context, this);
      }
    }
  }

  /** The filter of the JVM, kept so a re-initialised logging system gets it back. */
  private static volatile LogRedaction current;

  private static void install(LoggerContext context, LogRedaction filter) {
    if (context.getTurboFilterList().stream().noneMatch(f -> NAME.equals(f.getName()))) {
      context.addTurboFilter(filter);
      filter.start();
    }
  }

  /**
   * Spring Boot stops and resets Logback whenever an application starts in the JVM (tests start
   * several, some of which fail before any bean exists), and the reset drops every turbo filter.
   * Registered in {@code META-INF/spring.factories}, this listener runs right after Spring Boot's
   * logging initialisation of every application and puts the JVM's filter back.
   */
  static final class ReinstallAfterLoggingInit
      implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
      reinstall();
    }

    @Override
    public int getOrder() {
      return LoggingApplicationListener.DEFAULT_ORDER + 1;
    }
  }

  /** Puts the JVM's filter back if a logging reset removed it. */
  static void reinstall() {
    LogRedaction filter = current;
    if (filter != null && filter.context != null) {
      synchronized (LogRedaction.class) {
        install(filter.context, filter);
      }
    }
  }

  static Pattern pattern(String keyPrefix) {
    return Pattern.compile(
        "((?i)[?&](?:token|api[-_]?key|key)=)(?!\\[redacted])[^&\\s\"']+|"
            + Pattern.quote(keyPrefix)
            + "[A-Za-z0-9_-]{16,}|"
            // a space's webhook signing secret (Standard Webhooks form: whsec_ + base64)
            + "whsec_[A-Za-z0-9+/=_-]{8,}");
  }

  /** The text with every token value and key-shaped string replaced. */
  static String redact(Pattern secrets, String text) {
    Matcher m = secrets.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    do {
      String replacement = m.group(1) != null ? m.group(1) + REDACTED : REDACTED;
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    } while (m.find());
    m.appendTail(out);
    return out.toString();
  }

  /** Causes and suppressed exceptions looked at below the logged one. */
  private static final int MAX_THROWABLE_DEPTH = 10;

  /**
   * The throwable itself when no message in it (its own, its causes', its suppressed ones') holds a
   * secret; else a copy whose messages are redacted, with the same stack frames. Tomcat, for one,
   * quotes the raw request target in its exception: "Invalid character found in the request target
   * [/api/v1/realtime/J?token=emit_…]". The copy names the original class in its message.
   */
  static Throwable redact(Pattern secrets, Throwable t, int depth) {
    if (t == null || depth > MAX_THROWABLE_DEPTH) {
      return t;
    }
    String message = t.getMessage();
    boolean dirty = message != null && secrets.matcher(message).find();
    Throwable cause = t.getCause() == t ? null : redact(secrets, t.getCause(), depth + 1);
    dirty |= cause != t.getCause();
    Throwable[] suppressed = t.getSuppressed();
    Throwable[] cleanSuppressed = suppressed.clone();
    for (int i = 0; i < suppressed.length; i++) {
      cleanSuppressed[i] = redact(secrets, suppressed[i], depth + 1);
      dirty |= cleanSuppressed[i] != suppressed[i];
    }
    if (!dirty) {
      return t;
    }
    Redacted copy =
        new Redacted(
            t.getClass().getName() + (message == null ? "" : ": " + redact(secrets, message)),
            cause);
    copy.setStackTrace(t.getStackTrace());
    for (Throwable s : cleanSuppressed) {
      copy.addSuppressed(s);
    }
    return copy;
  }

  /** Stands in for an exception whose message held a secret. */
  static final class Redacted extends RuntimeException {
    Redacted(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null
        || level == null
        || RELOGGING.get() != null
        || !logger.isEnabledFor(level)
        || BOOTSTRAP_LOGGER.equals(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    boolean dirty = secrets.matcher(format).find();
    Object[] cleanParams = params;
    if (params != null) {
      for (int i = 0; i < params.length; i++) {
        if (params[i] instanceof CharSequence s && secrets.matcher(s).find()) {
          if (cleanParams == params) {
            cleanParams = params.clone();
          }
          cleanParams[i] = redact(secrets, s.toString());
          dirty = true;
        }
      }
    }
    Throwable cleanThrowable = redact(secrets, t, 0);
    dirty |= cleanThrowable != t;
    if (!dirty) {
      return FilterReply.NEUTRAL;
    }
    // log the cleaned event instead of this one
    RELOGGING.set(Boolean.TRUE);
    try {
      logger.log(
          marker,
          Logger.FQCN,
          Level.toLocationAwareLoggerInteger(level),
          redact(secrets, format),
          cleanParams,
          cleanThrowable);
    } finally {
      RELOGGING.remove();
    }
    return FilterReply.DENY;
  }
}
