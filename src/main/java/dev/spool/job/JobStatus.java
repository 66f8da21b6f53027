package dev.spool.job;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The seven states of a job and the one table of allowed transitions (docs/api.md §5). SQL that
 * changes a status names its allowed source states from {@link #sourcesOf(JobStatus)}-equivalent
 * WHERE clauses; TransitionTableIntegrationTests checks against PostgreSQL that they agree.
 */
public enum JobStatus {
  SCHEDULED,
  PENDING,
  DELIVERED,
  RUNNING,
  COMPLETED,
  DEAD,
  KILLED;

  private static final Map<JobStatus, Set<JobStatus>> NEXT =
      Map.of(
          SCHEDULED, EnumSet.of(PENDING, DELIVERED, KILLED),
          PENDING, EnumSet.of(DELIVERED, KILLED),
          DELIVERED, EnumSet.of(RUNNING, PENDING, SCHEDULED, COMPLETED, DEAD, KILLED),
          RUNNING, EnumSet.of(PENDING, SCHEDULED, COMPLETED, DEAD, KILLED),
          COMPLETED, EnumSet.noneOf(JobStatus.class),
          DEAD, EnumSet.noneOf(JobStatus.class),
          KILLED, EnumSet.noneOf(JobStatus.class));

  /** The name used on the wire and in the database. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isTerminal() {
    return this == COMPLETED || this == DEAD || this == KILLED;
  }

  public boolean canMoveTo(JobStatus next) {
    return NEXT.get(this).contains(next);
  }

  public static Optional<JobStatus> fromWire(String text) {
    for (JobStatus s : values()) {
      if (s.wire().equals(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Every state that may move to {@code target}. */
  public static Set<JobStatus> sourcesOf(JobStatus target) {
    Set<JobStatus> out = EnumSet.noneOf(JobStatus.class);
    NEXT.forEach(
        (from, to) -> {
          if (to.contains(target)) {
            out.add(from);
          }
        });
    return out;
  }
}
