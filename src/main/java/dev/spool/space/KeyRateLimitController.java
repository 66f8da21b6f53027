package dev.spool.space;

import dev.spool.web.JsonBodies;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code PATCH /api/v1/keys/:id} {@code {"rateLimitPerSecond": n | null}} [ext]: a key's own rate
 * limit (0 = unlimited for this key), or {@code null} to fall back to {@code
 * spool.rate-limit-per-key}. Takes effect at once on this instance and within {@code
 * spool.keys.cache-ttl} on the others. Needs an {@code admin} key.
 */
@RestController
@RequestMapping("/api/v1")
class KeyRateLimitController {

  /** Far above anything one key can send; keeps the bucket arithmetic well inside an int. */
  static final int MAX_RATE = 1_000_000;

  private final Spaces spaces;
  private final JsonBodies bodies;

  KeyRateLimitController(Spaces spaces, JsonBodies bodies) {
    this.spaces = spaces;
    this.bodies = bodies;
  }

  @PatchMapping("/keys/{id}")
  AdminController.KeyView patch(HttpServletRequest request, @PathVariable String id) {
    Caller.of(request).require(Scopes.ADMIN);
    JsonNode body = bodies.required(request);
    if (!body.isObject() || !body.has("rateLimitPerSecond")) {
      throw AdminController.invalid("rateLimitPerSecond", "rateLimitPerSecond is required");
    }
    JsonNode rate = body.get("rateLimitPerSecond");
    Integer perSecond = null;
    if (!rate.isNull()) {
      // canConvertToInt first: asInt() on a number past the int range throws rather than answers
      if (!rate.isIntegralNumber()
          || !rate.canConvertToInt()
          || rate.asInt() < 0
          || rate.asInt() > MAX_RATE) {
        throw AdminController.invalid(
            "rateLimitPerSecond",
            "rateLimitPerSecond must be null or an integer between 0 and " + MAX_RATE);
      }
      perSecond = rate.asInt();
    }
    return AdminController.KeyView.of(spaces.limitKeyRate(id, perSecond));
  }
}
