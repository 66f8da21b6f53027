package dev.spool.web;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Spring MVC's request mapping with an index in front of its lookup.
 *
 * <p>For a path with no literal-only mapping, which is every worker call ({@code
 * /api/v1/jobs/{jobId}/ack}, {@code .../complete}, {@code /spaces/{spaceId}/jobs/poll}), the stock
 * lookup tests every registered mapping against the request: about a tenth of a request thread's
 * CPU in the dispatch benchmark (docs/engine.md "HTTP layer"). This index groups the mappings by
 * the number of segments of their patterns and by their last segment when it is literal, so a
 * lookup tests the few mappings that could match.
 *
 * <p>The index only ever narrows the search to a superset of the mappings that can match (a pattern
 * of {@code n} segments without a multi-segment wildcard matches only paths of {@code n} segments,
 * and only those whose last segment equals its literal last segment). When exactly one candidate
 * matches, it is the stock lookup's answer, and it is recorded exactly as the stock lookup records
 * it. Everything else goes to the stock lookup unchanged: no match or several (its 404/405/415
 * reasoning, its ranking and its ambiguity check), CORS pre-flights, paths with encoded characters,
 * matrix parameters or a trailing slash, and literal paths (its own direct-path map).
 */
public class IndexedRequestMappings extends RequestMappingHandlerMapping {

  private record Candidate(RequestMappingInfo info, HandlerMethod handler) {}

  private record Key(int segments, String last) {}

  private record Index(
      Map<Key, List<Candidate>> byKey, List<Candidate> everywhere, Set<String> directPaths) {}

  private volatile Index index;

  @Override
  protected HandlerMethod lookupHandlerMethod(String lookupPath, HttpServletRequest request)
      throws Exception {
    List<Candidate> candidates = candidates(lookupPath, request);
    if (candidates == null) {
      return super.lookupHandlerMethod(lookupPath, request);
    }
    Candidate found = null;
    RequestMappingInfo matched = null;
    for (Candidate c : candidates) {
      RequestMappingInfo m = getMatchingMapping(c.info(), request);
      if (m != null) {
        if (found != null) {
          return super.lookupHandlerMethod(lookupPath, request);
        }
        found = c;
        matched = m;
      }
    }
    if (found == null) {
      return super.lookupHandlerMethod(lookupPath, request);
    }
    request.setAttribute(HandlerMapping.BEST_MATCHING_HANDLER_ATTRIBUTE, found.handler());
    handleMatch(matched, lookupPath, request);
    return found.handler();
  }

  /**
   * The stock lookup, for the test that compares both on every registered route.
   *
   * @see #lookupHandlerMethod
   */
  HandlerMethod stockLookup(HttpServletRequest request) throws Exception {
    return super.lookupHandlerMethod(initLookupPath(request), request);
  }

  /** The mappings the index would test for this request, or null when the stock lookup decides. */
  List<RequestMappingInfo> candidateMappings(HttpServletRequest request) {
    List<Candidate> candidates = candidates(initLookupPath(request), request);
    return candidates == null ? null : candidates.stream().map(Candidate::info).toList();
  }

  /** Every registered mapping that matches the request, as the stock lookup would test them. */
  List<RequestMappingInfo> matchingMappings(HttpServletRequest request) {
    initLookupPath(request);
    return getHandlerMethods().keySet().stream()
        .filter(info -> getMatchingMapping(info, request) != null)
        .toList();
  }

  /** The mappings that could match, or null when the stock lookup must decide. */
  private List<Candidate> candidates(String path, HttpServletRequest request) {
    if (path.isEmpty()
        || path.charAt(0) != '/'
        || path.endsWith("/")
        || path.indexOf('%') >= 0
        || path.indexOf(';') >= 0
        || CorsUtils.isPreFlightRequest(request)) {
      return null;
    }
    Index idx = index();
    if (idx.directPaths().contains(path)) {
      return null;
    }
    int segments = 1;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        segments++;
      }
    }
    String last = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    List<Candidate> merged = idx.byKey().get(new Key(segments, last));
    if (merged == null) {
      merged = idx.byKey().get(new Key(segments, null));
    }
    return merged == null ? idx.everywhere() : merged;
  }

  private Index index() {
    Index idx = index;
    if (idx == null) {
      synchronized (this) {
        idx = index;
        if (idx == null) {
          idx = build();
          index = idx;
        }
      }
    }
    return idx;
  }

  private Index build() {
    Map<Key, List<Candidate>> byKey = new HashMap<>();
    List<Candidate> everywhere = new ArrayList<>();
    Set<String> direct = new HashSet<>();
    for (Map.Entry<RequestMappingInfo, HandlerMethod> e : getHandlerMethods().entrySet()) {
      Candidate c = new Candidate(e.getKey(), e.getValue());
      direct.addAll(getDirectPaths(e.getKey()));
      Set<Key> keys = new LinkedHashSet<>();
      boolean anywhere = e.getKey().getPatternValues().isEmpty();
      for (String pattern : e.getKey().getPatternValues()) {
        if (pattern.contains("**") || pattern.contains("{*") || !pattern.startsWith("/")) {
          anywhere = true;
          break;
        }
        String[] parts = pattern.split("/", -1);
        String last = parts[parts.length - 1];
        boolean literal = !last.isEmpty() && last.chars().noneMatch(ch -> "{}*?".indexOf(ch) >= 0);
        keys.add(new Key(parts.length, literal ? last.toLowerCase(Locale.ROOT) : null));
      }
      if (anywhere) {
        everywhere.add(c);
      } else {
        keys.forEach(k -> byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(c));
      }
    }
    // each key's list is complete on its own: the mappings of that key, those of the same length
    // whose last segment is not literal, and those that match any length — no merging per request
    Map<Key, List<Candidate>> merged = new HashMap<>();
    byKey.forEach(
        (key, own) -> {
          Set<Candidate> all = new LinkedHashSet<>(everywhere);
          if (key.last() != null) {
            all.addAll(byKey.getOrDefault(new Key(key.segments(), null), List.of()));
          }
          all.addAll(own);
          merged.put(key, List.copyOf(all));
        });
    return new Index(merged, List.copyOf(everywhere), Set.copyOf(direct));
  }

  @Override
  protected void registerHandlerMethod(Object handler, Method method, RequestMappingInfo mapping) {
    super.registerHandlerMethod(handler, method, mapping);
    index = null;
  }

  @Override
  public void registerMapping(RequestMappingInfo mapping, Object handler, Method method) {
    super.registerMapping(mapping, handler, method);
    index = null;
  }

  @Override
  public void unregisterMapping(RequestMappingInfo mapping) {
    super.unregisterMapping(mapping);
    index = null;
  }
}
