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
import org.springframework.stereotype.Component;

/**
 * Last line of defence: a log line that would carry an API key never reaches an appender. Spring
 * MVC at DEBUG prints the query string (where WebSocket clients put {@code ?token=}), exception
 * messages may quote input; rather than trusting every logger, each enabled event whose message or
 * string arguments contain a {@code ?token=} value or something shaped like a key is logged again
 * with those parts replaced by {@value #REDACTED}. The first-start banner ({@code Bootstrap}) is
 * the one exception, by contract (docs/api.md §7). Logback only (Spring Boot's default); only
 * events that pass the level check pay for the scan.
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
        if (context.getTurboFilterList().stream().noneMatch(f -> NAME.equals(f.getName()))) {
          context.addTurboFilter(this);
          start();
        }
      }
    }
  }

  static Pattern pattern(String keyPrefix) {
    return Pattern.compile(
        "((?i)[?&](?:token|api[-_]?key|key)=)(?!\\[redacted])[^&\\s\"']+|"
            + Pattern.quote(keyPrefix)
            + "[A-Za-z0-9_-]{16,}");
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
          t);
    } finally {
      RELOGGING.remove();
    }
    return FilterReply.DENY;
  }
}
