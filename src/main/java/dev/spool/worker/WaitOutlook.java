package dev.spool.worker;

import dev.spool.database.SpaceRouting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the groups of waiting polls can expect, for the long polls' periodic re-check: one query for
 * every group of this instance. A group is judged by its own filter, so polls waiting for one name
 * are not woken (and do not claim) because jobs of other names wait.
 */
@Component
class WaitOutlook {

  /**
   * One probe per (group, name), or per group without a filter (name null): the first claimable
   * job's {@code available_at} in index order — due now when it has passed (a job is available),
   * else when the next one falls due. Each probe is one index probe on {@code jobs_claimable} or
   * {@code jobs_claimable_by_name} ({@code min} over the leading columns reads the first entry); a
   * CASE runs only the subquery of its branch.
   *
   * <p>Not {@code EXISTS} for "available now": with one big backlog in the database, the planner
   * costs an {@code EXISTS} by the average space and scans the whole table for the first match,
   * which a space without available jobs never has (103 ms per probe at 300,000 jobs, every second,
   * while polls wait; 0.7 ms by the index). {@code WaitOutlookPlanIntegrationTests} keeps it so.
   */
  static final String OUTLOOK =
      """
      WITH probe AS (
          SELECT (p ->> 0)::int AS grp, p ->> 1 AS space_id, p ->> 2 AS name
            FROM json_array_elements(CAST(:probes AS json)) AS p
      ), judged AS (
          SELECT grp,
                 CASE WHEN probe.name IS NULL THEN
                     (SELECT min(j.available_at) FROM jobs j
                       WHERE j.space_id = probe.space_id
                         AND j.status IN ('pending', 'scheduled'))
                 ELSE
                     (SELECT min(j.available_at) FROM jobs j
                       WHERE j.space_id = probe.space_id AND j.name = probe.name
                         AND j.status IN ('pending', 'scheduled'))
                 END AS first_at
            FROM probe
      )
      SELECT grp, coalesce(bool_or(first_at <= now()), false) AS available,
             EXTRACT(EPOCH FROM min(first_at) FILTER (WHERE first_at > now()) - now()) * 1000
                 AS millis
        FROM judged GROUP BY grp
      """;

  /**
   * On Citus ({@code SPOOL_DISTRIBUTED=citus}): {@link #OUTLOOK} for the groups of one space, the
   * space a constant so the whole query runs on the worker that holds it.
   */
  private static final String OUTLOOK_IN_SPACE =
      OUTLOOK.replace("j.space_id = probe.space_id", "j.space_id = :space");

  /**
   * @param availableNow a job the group's polls take can be claimed now
   * @param nextDueMillis milliseconds until the next such job falls due, or null when none waits
   */
  record Outlook(boolean availableNow, Long nextDueMillis) {}

  private final JdbcClient jdbc;
  private final SpaceRouting routing;
  private final JsonMapper json = JsonMapper.builder().build();

  WaitOutlook(JdbcClient jdbc, SpaceRouting routing) {
    this.jdbc = jdbc;
    this.routing = routing;
  }

  Map<ClaimFilter, Outlook> of(List<ClaimFilter> groups) {
    if (!routing.distributed()) {
      return of(groups, null);
    }
    Map<ClaimFilter, Outlook> out = new HashMap<>();
    for (String space : groups.stream().map(ClaimFilter::spaceId).distinct().toList()) {
      out.putAll(of(groups, space));
    }
    return out;
  }

  /** The outlook of the groups of {@code space}, or of every group when it is null. */
  private Map<ClaimFilter, Outlook> of(List<ClaimFilter> groups, String space) {
    List<List<Object>> probes = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      if (space != null && !space.equals(groups.get(i).spaceId())) {
        continue;
      }
      if (groups.get(i).names().isEmpty()) {
        probes.add(Arrays.asList(i, groups.get(i).spaceId(), null));
      }
      for (String name : groups.get(i).names()) {
        probes.add(Arrays.asList(i, groups.get(i).spaceId(), name));
      }
    }
    Map<ClaimFilter, Outlook> out = new HashMap<>();
    if (probes.isEmpty()) {
      return out;
    }
    JdbcClient.StatementSpec spec =
        jdbc.sql(space == null ? OUTLOOK : OUTLOOK_IN_SPACE)
            .param("probes", json.writeValueAsString(probes));
    if (space != null) {
      spec = spec.param("space", space);
    }
    spec.query(
            (rs, n) -> {
              double millis = rs.getDouble("millis");
              Long next = rs.wasNull() ? null : (long) Math.ceil(millis);
              out.put(groups.get(rs.getInt("grp")), new Outlook(rs.getBoolean("available"), next));
              return null;
            })
        .list();
    return out;
  }
}
