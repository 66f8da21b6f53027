package dev.spool.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 between Spool and PostgreSQL that a test can cut and restore. Cutting
 * closes every relayed connection and the listening socket (new connections are refused, as with a
 * database host that went away); restoring listens on the same port again. Only ever talks to the
 * loopback target it was given.
 */
final class TcpProxy implements AutoCloseable {

  private final InetSocketAddress target;
  private final int port;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile ServerSocket server;

  TcpProxy(String targetHost, int targetPort) throws IOException {
    InetAddress address = InetAddress.getByName(targetHost);
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException("the test proxy only relays to loopback, not " + address);
    }
    this.target = new InetSocketAddress(address, targetPort);
    this.server = listen(0);
    this.port = server.getLocalPort();
    acceptLoop(server);
  }

  int port() {
    return port;
  }

  int accepted() {
    return accepted.get();
  }

  /** Drops every relayed connection and refuses new ones until {@link #restore()}. */
  synchronized void cut() throws IOException {
    ServerSocket s = server;
    server = null;
    if (s != null) {
      s.close();
    }
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /** Accepts connections again, on the same port. */
  synchronized void restore() throws IOException {
    if (server == null) {
      server = listen(port);
      acceptLoop(server);
    }
  }

  @Override
  public void close() throws IOException {
    cut();
  }

  private static ServerSocket listen(int port) throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return s;
  }

  private void acceptLoop(ServerSocket listening) {
    daemon(
        "proxy-accept",
        () -> {
          while (!listening.isClosed()) {
            try {
              Socket client = listening.accept();
              Socket upstream = new Socket();
              upstream.connect(target, 5000);
              sockets.add(client);
              sockets.add(upstream);
              accepted.incrementAndGet();
              daemon("proxy-up", () -> pipe(client, upstream));
              daemon("proxy-down", () -> pipe(upstream, client));
            } catch (IOException e) {
              // the listening socket was closed by cut(), or one connection failed: keep going
            }
          }
        });
  }

  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // closed by cut() or by either end
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
