import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generator for the Create Jobs endpoint. Standard library only; run with the JDK's
 * source launcher: {@code java bench/CreateLoad.java <mode> <port> <spaceId> <key> <clients>
 * <seconds> <maxRequests>}.
 *
 * <p>Each client is one thread with one keep-alive HTTP/1.1 connection to 127.0.0.1 (plain
 * sockets: the client should cost as little CPU as possible, since it shares the machine with
 * Spool and PostgreSQL). Every request is sent, its whole response read, its status checked; a
 * run stops at the time limit or at the request limit, whichever comes first.
 *
 * <p>Modes: {@code single} sends one job per request; {@code bulk} sends 1000 jobs per request.
 * Prints one line of {@code key=value} figures.
 */
public class CreateLoad {

  static final String JOB =
      "{\"name\":\"process-video\",\"payload\":{\"url\":\"s3://bucket/video.mp4\",\"format\":\"720p\"}}";

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: CreateLoad single|bulk <port> <spaceId> <key> <clients> <seconds> <maxRequests>");
      System.exit(2);
    }
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    String space = args[2];
    String key = args[3];
    int clients = Integer.parseInt(args[4]);
    long seconds = Long.parseLong(args[5]);
    long maxRequests = Long.parseLong(args[6]);

    int jobsPerRequest = mode.equals("bulk") ? 1000 : 1;
    String body;
    if (jobsPerRequest == 1) {
      body = JOB;
    } else {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < jobsPerRequest; i++) {
        b.append(i == 0 ? "" : ",").append(JOB);
      }
      body = b.append(']').toString();
    }
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    byte[] head =
        ("POST /api/v1/spaces/" + space + "/jobs HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "x-api-key: " + key + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + bodyBytes.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] request = new byte[head.length + bodyBytes.length];
    System.arraycopy(head, 0, request, 0, head.length);
    System.arraycopy(bodyBytes, 0, request, head.length, bodyBytes.length);

    AtomicLong budget = new AtomicLong(maxRequests);
    AtomicLong failures = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    List<long[]> latencies = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    int[] counts = new int[clients];
    for (int c = 0; c < clients; c++) {
      long[] lat = new long[(int) Math.min(maxRequests, 2_000_000)];
      latencies.add(lat);
      int idx = c;
      Thread t =
          new Thread(
              () -> {
                int n = 0;
                try {
                  Socket socket = null;
                  OutputStream out = null;
                  InputStream in = null;
                  while (!stop.get() && System.nanoTime() < deadline && budget.decrementAndGet() >= 0) {
                    long t0 = System.nanoTime();
                    if (socket == null) {
                      // Tomcat closes a keep-alive connection after max-keep-alive-requests; a
                      // reconnect is part of the request's latency, as for any real client.
                      socket = new Socket();
                      socket.setTcpNoDelay(true);
                      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                      socket.setSoTimeout(30_000);
                      out = socket.getOutputStream();
                      in = new BufferedInputStream(socket.getInputStream(), 65536);
                    }
                    out.write(request);
                    out.flush();
                    int status = readResponse(in);
                    lat[n++] = System.nanoTime() - t0;
                    if (status < 0) {
                      socket.close();
                      socket = null;
                      status = -status;
                    }
                    if (status != 201) {
                      failures.incrementAndGet();
                    }
                  }
                  if (socket != null) {
                    socket.close();
                  }
                } catch (IOException e) {
                  System.err.println("client " + idx + ": " + e);
                  failures.incrementAndGet();
                }
                counts[idx] = n;
              });
      threads.add(t);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;

    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int pos = 0;
    for (int c = 0; c < clients; c++) {
      System.arraycopy(latencies.get(c), 0, all, pos, counts[c]);
      pos += counts[c];
    }
    Arrays.sort(all);
    System.out.println(
        String.format(
            Locale.ROOT,
            "mode=%s clients=%d requests=%d jobs=%d seconds=%.1f req_per_s=%.0f jobs_per_s=%.0f"
                + " p50_ms=%.1f p99_ms=%.1f max_ms=%.1f failures=%d",
            mode,
            clients,
            total,
            (long) total * jobsPerRequest,
            elapsed,
            total / elapsed,
            total * (double) jobsPerRequest / elapsed,
            percentile(all, 0.50),
            percentile(all, 0.99),
            total == 0 ? 0 : all[total - 1] / 1e6,
            failures.get()));
  }

  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  /**
   * Reads one HTTP/1.1 response (Content-Length or chunked); returns its status, negated when the
   * server announced {@code Connection: close}.
   */
  static int readResponse(InputStream in) throws IOException {
    String statusLine = readLine(in);
    if (statusLine == null) {
      throw new IOException("connection closed");
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    if (chunked) {
      while (true) {
        long size = Long.parseLong(readLine(in).trim().split(";")[0], 16);
        skip(in, size);
        readLine(in);
        if (size == 0) {
          break;
        }
      }
    } else if (length > 0) {
      skip(in, length);
    }
    return close ? -status : status;
  }

  static void skip(InputStream in, long n) throws IOException {
    while (n > 0) {
      long s = in.skip(n);
      if (s <= 0) {
        if (in.read() < 0) {
          throw new IOException("connection closed");
        }
        s = 1;
      }
      n -= s;
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int len = b.length();
        return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }
}
