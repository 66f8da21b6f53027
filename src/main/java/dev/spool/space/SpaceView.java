package dev.spool.space;

import dev.spool.common.Timestamps;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** A space as the admin API shows it (docs/api.md §7). */
public record SpaceView(
    String id,
    String name,
    String createdAt,
    String publicKey,
    String signingSecret,
    Push push,
    Slack slack) {

  public record Push(String url, Map<String, String> headers, List<String> names) {}

  public record Slack(String url, List<String> events) {}

  public static SpaceView of(Space s) {
    Push push =
        s.getPushUrl() == null
            ? null
            : new Push(
                s.getPushUrl(),
                s.getPushHeaders() == null ? Map.of() : s.getPushHeaders(),
                s.getPushNames() == null ? List.of() : Arrays.asList(s.getPushNames()));
    Slack slack =
        s.getSlackUrl() == null
            ? null
            : new Slack(
                s.getSlackUrl(),
                s.getSlackEvents() == null ? List.of() : Arrays.asList(s.getSlackEvents()));
    return new SpaceView(
        s.getId(),
        s.getName(),
        Timestamps.format(s.getCreatedAt()),
        s.getPublicKey(),
        s.getSigningSecret(),
        push,
        slack);
  }
}
