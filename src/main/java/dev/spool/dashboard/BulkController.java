package dev.spool.dashboard;

import dev.spool.common.Ids;
import dev.spool.space.ApiKeys;
import dev.spool.space.Caller;
import dev.spool.space.Scopes;
import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.JsonBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /dashboard/bulk/spaces/:spaceId}: the dashboard's "kill or retry every job of this
 * filter". Not part of the API: it is authenticated by the dashboard session, with the same origin
 * and CSRF checks as every dashboard action, and then acts with the session key's scopes ({@code
 * jobs:kill} to kill, {@code jobs:create} to retry) on its space only.
 *
 * <p>Body {@code {"action": "kill"|"retry", "status"?: "dead,killed", "name"?: "x", "dryRun"?:
 * true, "upTo"?: id}}. A dry run answers {@code {count, capped, upTo}}; the action itself needs
 * that {@code upTo} and answers {@code {changed, done}} — the page repeats it until {@code done}.
 */
@RestController
class BulkController {

  private final DashboardSessions sessions;
  private final ApiKeys keys;
  private final JsonBodies bodies;
  private final BulkActions actions;

  BulkController(DashboardSessions sessions, ApiKeys keys, JsonBodies bodies, BulkActions actions) {
    this.sessions = sessions;
    this.keys = keys;
    this.bodies = bodies;
    this.actions = actions;
  }

  @PostMapping("/dashboard/bulk/spaces/{spaceId}")
  Object bulk(HttpServletRequest request, @PathVariable String spaceId) {
    DashboardSessions.Session session =
        sessions.find(request).orElseThrow(() -> ApiException.unauthorized("Not signed in"));
    if (!SameOrigin.allows(request)) {
      throw new ApiException(HttpStatus.FORBIDDEN, "origin", "Cross-origin request refused");
    }
    if (!DashboardSessions.csrfMatches(
        session, request.getHeader(DashboardController.CSRF_HEADER))) {
      throw DashboardController.csrfFailure();
    }
    Caller caller =
        keys.resolve(session.key())
            .orElseThrow(() -> ApiException.unauthorized("The API key was revoked"));
    JsonBodies.requireJsonContentType(request);
    JsonNode body = bodies.required(request);
    BulkActions.Action action = action(body.path("action").asString(""));
    caller
        .require(action == BulkActions.Action.KILL ? Scopes.JOBS_KILL : Scopes.JOBS_CREATE)
        .requireSpace(spaceId);
    if (!Ids.isValid(spaceId)) {
      throw ApiException.notFound("Space");
    }
    List<String> statuses = statuses(body.path("status").asString(""));
    String name = body.path("name").isString() ? body.get("name").asString() : null;
    if (name != null && (name.isEmpty() || name.length() > 255)) {
      throw invalid("name", "name must be 1 to 255 characters");
    }
    if (body.path("dryRun").asBoolean(false)) {
      return actions.preview(action, spaceId, statuses, name);
    }
    String upTo = body.path("upTo").isString() ? body.get("upTo").asString() : null;
    if (upTo == null || !Ids.isValid(upTo)) {
      throw invalid("upTo", "upTo must be the id a dry run answered");
    }
    return actions.apply(action, spaceId, statuses, name, upTo);
  }

  private static BulkActions.Action action(String text) {
    return switch (text) {
      case "kill" -> BulkActions.Action.KILL;
      case "retry" -> BulkActions.Action.RETRY;
      default -> throw invalid("action", "action must be kill or retry");
    };
  }

  private static List<String> statuses(String text) {
    List<String> out = new ArrayList<>();
    for (String s : text.split(",")) {
      String t = s.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (!List.of("scheduled", "pending", "delivered", "running", "completed", "dead", "killed")
          .contains(t)) {
        throw invalid("status", "Unknown status \"" + t + "\"");
      }
      out.add(t);
    }
    return out;
  }

  private static ApiException invalid(String field, String message) {
    return ApiException.validation(List.of(new FieldError(field, message)));
  }
}
