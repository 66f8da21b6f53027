package dev.spool.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The plan PostgreSQL chooses for a statement, read as tests need it (EXPLAIN, not run). */
public final class QueryPlans {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * @param json the whole plan, for an assertion's message
   * @param scans the node type of every scan of the relation asked for, in plan order
   */
  public record Scans(String json, List<String> scans) {}

  private QueryPlans() {}

  /** Plans {@code sql} with {@code params} and lists its scans of {@code relation}. */
  public static Scans scansOf(JdbcClient jdbc, String sql, Map<String, ?> params, String relation) {
    String json =
        jdbc.sql("EXPLAIN (FORMAT JSON) " + sql).params(params).query(String.class).single();
    List<String> scans = new ArrayList<>();
    collect(JSON.readTree(json).get(0).get("Plan"), relation, scans);
    return new Scans(json, scans);
  }

  private static void collect(JsonNode node, String relation, List<String> scans) {
    String type = node.get("Node Type").asString();
    if (type.endsWith("Scan")
        && node.has("Relation Name")
        && node.get("Relation Name").asString().equals(relation)) {
      scans.add(type);
    }
    JsonNode children = node.get("Plans");
    if (children != null) {
      children.forEach(child -> collect(child, relation, scans));
    }
  }
}
