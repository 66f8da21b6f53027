package dev.spool.log;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Log levels, least to most severe; stored as their ordinal so a minimum level is a range. */
enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR,
  FATAL;

  static final String NAMES =
      Arrays.stream(values()).map(LogLevel::wire).collect(Collectors.joining(", "));

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  short code() {
    return (short) ordinal();
  }

  static LogLevel ofCode(int code) {
    return values()[code];
  }

  /** Case-insensitive, since loggers commonly write {@code "INFO"}. */
  static Optional<LogLevel> parse(String text) {
    for (LogLevel level : values()) {
      if (level.name().equalsIgnoreCase(text)) {
        return Optional.of(level);
      }
    }
    return Optional.empty();
  }
}
