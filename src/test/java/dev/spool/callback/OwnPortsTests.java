package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

class OwnPortsTests {

  /** A started server's announcement, as Spring Boot publishes it (the port is all that counts). */
  static WebServerInitializedEvent started(int port, String namespace) {
    ServletWebServerApplicationContext context = new ServletWebServerApplicationContext();
    context.setServerNamespace(namespace);
    WebServer server =
        new WebServer() {
          @Override
          public void start() {}

          @Override
          public void stop() {}

          @Override
          public int getPort() {
            return port;
          }
        };
    return new WebServerInitializedEvent(server) {
      @Override
      public WebServerApplicationContext getApplicationContext() {
        return context;
      }
    };
  }

  @Test
  void theConfiguredPortsAndEveryRunningServersPortAreOwn() {
    OwnPorts ports = new OwnPorts(8080, 8081);
    ports.onApplicationEvent(started(40_001, null));
    ports.onApplicationEvent(started(40_002, "management"));

    assertThat(ports.contains(8080)).isTrue();
    assertThat(ports.contains(8081)).isTrue();
    assertThat(ports.contains(40_001)).isTrue();
    assertThat(ports.contains(40_002)).isTrue();
    assertThat(ports.contains(40_003)).isFalse();
  }

  @Test
  void aServerThatStartsAgainGivesUpItsEarlierRandomPort() {
    OwnPorts ports = OwnPorts.none();
    ports.onApplicationEvent(started(40_001, null));
    ports.onApplicationEvent(started(40_002, "management"));
    // a restarted context binds new random ports; the old ones may now be anyone's receiver
    ports.onApplicationEvent(started(40_011, null));
    ports.onApplicationEvent(started(40_012, "management"));

    assertThat(ports.contains(40_001)).isFalse();
    assertThat(ports.contains(40_002)).isFalse();
    assertThat(ports.contains(40_011)).isTrue();
    assertThat(ports.contains(40_012)).isTrue();
  }
}
