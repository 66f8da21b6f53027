package dev.spool.space;

import dev.spool.common.Timestamps;
import dev.spool.web.ApiException;
import dev.spool.web.ApiException.FieldError;
import dev.spool.web.JsonBodies;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** The admin API of docs/api.md §7: spaces and keys. Every call needs an {@code admin} key. */
@RestController
@RequestMapping("/api/v1")
class AdminController {

  private final Spaces spaces;
  private final JsonBodies bodies;

  AdminController(Spaces spaces, JsonBodies bodies) {
    this.spaces = spaces;
    this.bodies = bodies;
  }

  /** A key as listed: everything but the secret. */
  record KeyView(
      String id,
      String spaceId,
      String name,
      List<String> scopes,
      String prefix,
      Integer rateLimitPerSecond,
      String createdAt,
      String revokedAt) {
    static KeyView of(ApiKey k) {
      return new KeyView(
          k.getId(),
          k.getSpaceId(),
          k.getName(),
          Arrays.asList(k.getScopes()),
          k.getPrefix(),
          k.getRateLimitPerSecond(),
          Timestamps.format(k.getCreatedAt()),
          Timestamps.format(k.getRevokedAt()));
    }
  }

  @PostMapping("/spaces")
  @ResponseStatus(HttpStatus.CREATED)
  SpaceView create(HttpServletRequest request) {
    admin(request);
    JsonNode body = object(bodies.required(request));
    String name = name(body, true);
    JsonNode secret = body.get("signingSecret");
    if (secret != null && !secret.isNull() && !secret.isBoolean()) {
      throw invalid("signingSecret", "signingSecret must be a boolean");
    }
    return SpaceView.of(spaces.create(name, secret != null && secret.asBoolean(false)));
  }

  @GetMapping("/spaces")
  List<SpaceView> list(HttpServletRequest request) {
    admin(request);
    return spaces.list().stream().map(SpaceView::of).toList();
  }

  @GetMapping("/spaces/{id}")
  SpaceView get(HttpServletRequest request, @PathVariable String id) {
    admin(request);
    return SpaceView.of(spaces.get(id));
  }

  @PatchMapping("/spaces/{id}")
  SpaceView patch(HttpServletRequest request, @PathVariable String id) {
    admin(request);
    JsonNode body = object(bodies.required(request));
    spaces.get(id);
    // validate every field before changing any
    String newName = body.has("name") ? name(body, true) : null;
    List<FieldError> errors = new ArrayList<>();
    NotificationSettings.Push push =
        body.has("push") ? NotificationSettings.push(body.get("push"), errors) : null;
    NotificationSettings.Slack slack =
        body.has("slack") ? NotificationSettings.slack(body.get("slack"), errors) : null;
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
    return SpaceView.of(
        spaces.update(id, newName, body.has("push"), push, body.has("slack"), slack));
  }

  @DeleteMapping("/spaces/{id}")
  java.util.Map<String, Object> delete(HttpServletRequest request, @PathVariable String id) {
    admin(request);
    spaces.delete(id);
    return java.util.Map.of("id", id, "deleted", true);
  }

  @PostMapping("/spaces/{id}/signing-secret")
  SpaceView rotateSecret(HttpServletRequest request, @PathVariable String id) {
    admin(request);
    return SpaceView.of(spaces.rotateSigningSecret(id));
  }

  @PostMapping("/spaces/{id}/keys")
  @ResponseStatus(HttpStatus.CREATED)
  Spaces.IssuedKey createKey(HttpServletRequest request, @PathVariable String id) {
    admin(request);
    JsonNode body = object(bodies.required(request));
    String name = name(body, true);
    JsonNode scopes = body.get("scopes");
    if (scopes == null || !scopes.isArray() || scopes.isEmpty()) {
      throw invalid("scopes", "scopes must be a non-empty array of scope names");
    }
    List<String> requested = new ArrayList<>();
    for (JsonNode s : scopes) {
      if (!s.isString()) {
        throw invalid("scopes", "scopes must be a non-empty array of scope names");
      }
      requested.add(s.asString());
    }
    return spaces.createKey(id, name, requested);
  }

  @GetMapping("/spaces/{id}/keys")
  List<KeyView> keys(HttpServletRequest request, @PathVariable String id) {
    admin(request);
    return spaces.keysOf(id).stream().map(KeyView::of).toList();
  }

  @DeleteMapping("/keys/{id}")
  KeyView revoke(HttpServletRequest request, @PathVariable String id) {
    admin(request);
    return KeyView.of(spaces.revokeKey(id));
  }

  private static void admin(HttpServletRequest request) {
    Caller.of(request).require(Scopes.ADMIN);
  }

  private static JsonNode object(JsonNode body) {
    if (!body.isObject()) {
      throw ApiException.badRequest("Request body must be a JSON object");
    }
    return body;
  }

  private static String name(JsonNode body, boolean required) {
    JsonNode name = body.get("name");
    if (name == null || name.isNull()) {
      if (required) {
        throw invalid("name", "name is required");
      }
      return null;
    }
    if (!name.isString() || name.asString().isBlank() || name.asString().length() > 255) {
      throw invalid("name", "name must be a string of 1 to 255 characters");
    }
    if (JsonBodies.hasUnstorableText(name)) {
      throw invalid("name", "name " + JsonBodies.UNSTORABLE_TEXT);
    }
    return name.asString();
  }

  static ApiException invalid(String field, String message) {
    return ApiException.validation(List.of(new FieldError(field, message)));
  }
}
