package dev.spool.dashboard;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A dashboard request seen as the API request it stands for: another path, the session's key as
 * {@code x-api-key}, and whatever credentials the browser sent removed (no {@code Authorization},
 * no {@code ?token=}, no cookies), so the session's key is the only one that can apply.
 */
final class GatewayRequest extends HttpServletRequestWrapper {

  private static final String KEY_HEADER = "x-api-key";

  private final String path;
  private final String key;
  private final String query;

  GatewayRequest(HttpServletRequest request, String path, String key) {
    super(request);
    this.path = path;
    this.key = key;
    this.query = withoutToken(request.getQueryString());
  }

  @Override
  public String getRequestURI() {
    return path;
  }

  @Override
  public StringBuffer getRequestURL() {
    StringBuffer url = new StringBuffer();
    url.append(getScheme()).append("://").append(getServerName());
    int port = getServerPort();
    if (port > 0
        && !(port == 80 && "http".equals(getScheme()))
        && !(port == 443 && "https".equals(getScheme()))) {
      url.append(':').append(port);
    }
    return url.append(path);
  }

  @Override
  public String getServletPath() {
    return path;
  }

  @Override
  public String getPathInfo() {
    return null;
  }

  @Override
  public String getQueryString() {
    return query;
  }

  @Override
  public String getParameter(String name) {
    return "token".equals(name) ? null : super.getParameter(name);
  }

  @Override
  public jakarta.servlet.http.Cookie[] getCookies() {
    return null;
  }

  @Override
  public String getHeader(String name) {
    if (KEY_HEADER.equalsIgnoreCase(name)) {
      return key;
    }
    if (stripped(name)) {
      return null;
    }
    return super.getHeader(name);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    if (KEY_HEADER.equalsIgnoreCase(name)) {
      return Collections.enumeration(List.of(key));
    }
    if (stripped(name)) {
      return Collections.emptyEnumeration();
    }
    return super.getHeaders(name);
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    List<String> names = new ArrayList<>();
    for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
      String name = e.nextElement();
      if (!stripped(name) && !KEY_HEADER.equalsIgnoreCase(name)) {
        names.add(name);
      }
    }
    names.add(KEY_HEADER);
    return Collections.enumeration(names);
  }

  private static boolean stripped(String name) {
    return "authorization".equalsIgnoreCase(name) || "cookie".equalsIgnoreCase(name);
  }

  private static String withoutToken(String query) {
    if (query == null) {
      return null;
    }
    List<String> kept = new ArrayList<>();
    for (String part : query.split("&")) {
      if (!part.isEmpty() && !part.equals("token") && !part.startsWith("token=")) {
        kept.add(part);
      }
    }
    return kept.isEmpty() ? null : String.join("&", kept);
  }
}
