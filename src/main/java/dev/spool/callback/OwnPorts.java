package dev.spool.callback;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * The ports this instance serves (the API and the management port): a callback, push or Slack URL
 * may never point at them on an internal or local address, whatever {@code
 * spool.callbacks.allowed-cidrs} allows, so no tenant can make Spool call its own admin API or
 * actuator. The configured ports are known at once; random ports (0) and the management context's
 * port arrive with each server's initialization event (child context events reach this listener). A
 * server that starts again (a restarted context) replaces its earlier port: a port it no longer
 * holds may by now belong to someone else's receiver.
 */
@Component
class OwnPorts implements ApplicationListener<WebServerInitializedEvent> {

  private final Set<Integer> configured = ConcurrentHashMap.newKeySet();

  /** The port each running server (by its namespace: "" for the API, "management") holds. */
  private final Map<String, Integer> bound = new ConcurrentHashMap<>();

  OwnPorts(
      @Value("${server.port:8080}") int serverPort,
      @Value("${management.server.port:-1}") int managementPort) {
    add(serverPort);
    add(managementPort);
  }

  /** For tests and tools that build a sender without a context. */
  static OwnPorts none() {
    return new OwnPorts(-1, -1);
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    String namespace = event.getApplicationContext().getServerNamespace();
    bound.put(namespace == null ? "" : namespace, event.getWebServer().getPort());
  }

  void add(int port) {
    if (port > 0 && port <= 65535) {
      configured.add(port);
    }
  }

  boolean contains(int port) {
    return configured.contains(port) || bound.containsValue(port);
  }

  /** True when {@code address} is one of this machine's own (loopback, wildcard or interface). */
  static boolean isLocal(InetAddress address) {
    if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (SocketException e) {
      return true; // cannot tell: treat as ours, refusing is the safe side
    }
  }
}
