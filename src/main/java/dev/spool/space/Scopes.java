package dev.spool.space;

import dev.spool.web.ApiException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The scopes of docs/api.md §2 and their shorthands, expanded when a key is created. */
public final class Scopes {

  public static final String JOBS_CREATE = "jobs:create";
  public static final String JOBS_READ = "jobs:read";
  public static final String JOBS_READ_PROGRESS = "jobs:read:progress";
  public static final String JOBS_POLL = "jobs:poll";
  public static final String JOBS_ACK = "jobs:ack";
  public static final String JOBS_PROGRESS = "jobs:progress";
  public static final String JOBS_EVENT = "jobs:event";
  public static final String JOBS_COMPLETE = "jobs:complete";
  public static final String JOBS_FAIL = "jobs:fail";
  public static final String JOBS_KILL = "jobs:kill";
  public static final String JOBS_KEEPALIVE = "jobs:keepalive";
  public static final String ADMIN = "admin";

  public static final List<String> ALL =
      List.of(
          JOBS_CREATE,
          JOBS_READ,
          JOBS_READ_PROGRESS,
          JOBS_POLL,
          JOBS_ACK,
          JOBS_PROGRESS,
          JOBS_EVENT,
          JOBS_COMPLETE,
          JOBS_FAIL,
          JOBS_KILL,
          JOBS_KEEPALIVE,
          ADMIN);

  static final List<String> WRITE =
      List.of(JOBS_ACK, JOBS_PROGRESS, JOBS_EVENT, JOBS_COMPLETE, JOBS_FAIL, JOBS_KEEPALIVE);

  private Scopes() {}

  /** Expands {@code jobs:write} and {@code jobs:worker}; an unknown scope is a 400. */
  static List<String> expand(List<String> requested) {
    Set<String> out = new LinkedHashSet<>();
    for (String scope : requested) {
      switch (scope) {
        case "jobs:write" -> out.addAll(WRITE);
        case "jobs:worker" -> {
          out.addAll(WRITE);
          out.add(JOBS_READ);
          out.add(JOBS_POLL);
        }
        default -> {
          if (!ALL.contains(scope)) {
            throw ApiException.validation(
                List.of(new ApiException.FieldError("scopes", "Unknown scope: " + scope)));
          }
          out.add(scope);
        }
      }
    }
    return List.copyOf(out);
  }
}
