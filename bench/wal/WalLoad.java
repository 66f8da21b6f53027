import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load of bench/wal/run.sh, run with the JDK's source launcher. {@code create N}: N jobs in
 * bulk requests of 1,000. {@code drain N}: 8 workers, each polling 50 at a time and then acking and
 * completing each job it got (with x-delivery-id), until N jobs are done or 300 s pass. Prints
 * {@code jobs=<n> failures=<n>}. Talks to 127.0.0.1 only.
 */
public class WalLoad {
  static final Pattern JOB =
      Pattern.compile("\"id\":\"([0-9A-Z]{26})\".*?\"deliveryId\":\"([0-9A-Z]{26})\"");
  static HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  static String base;
  static String key;

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int n = Integer.parseInt(args[1]);
    base = "http://127.0.0.1:" + args[2] + "/api/v1";
    String space = args[3];
    key = args[4];
    if (mode.equals("create")) {
      StringBuilder b = new StringBuilder("[");
      for (int i = 0; i < 1000; i++) {
        b.append(i == 0 ? "" : ",")
            .append("{\"name\":\"wal\",\"payload\":{\"url\":\"s3://bucket/video.mp4\",\"n\":")
            .append(i)
            .append("}}");
      }
      String body = b.append(']').toString();
      int failures = 0;
      for (int done = 0; done < n; done += 1000) {
        failures += post("/spaces/" + space + "/jobs", body, null).statusCode() == 201 ? 0 : 1;
      }
      System.out.println("jobs=" + n + " failures=" + failures);
      return;
    }
    AtomicLong done = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    long deadline = System.nanoTime() + 300_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (done.get() < n && System.nanoTime() < deadline) {
                    String answer =
                        post("/spaces/" + space + "/jobs/poll", "{\"count\":50}", null).body();
                    Matcher m = JOB.matcher(answer);
                    boolean any = false;
                    while (m.find()) {
                      any = true;
                      String job = "/jobs/" + m.group(1);
                      int a = post(job + "/ack", null, m.group(2)).statusCode();
                      int c = post(job + "/complete", "{\"result\":{\"ok\":true}}", m.group(2))
                              .statusCode();
                      (a == 200 && c == 200 ? done : failures).incrementAndGet();
                    }
                    if (!any) {
                      Thread.sleep(20);
                    }
                  }
                } catch (Exception e) {
                  failures.incrementAndGet();
                  System.err.println("worker: " + e);
                }
              });
      t.start();
      workers.add(t);
    }
    for (Thread t : workers) {
      t.join(310_000);
    }
    System.out.println("jobs=" + done.get() + " failures=" + failures.get());
  }

  static HttpResponse<String> post(String path, String body, String delivery) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("x-api-key", key)
            .header("Content-Type", "application/json")
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (delivery != null) {
      r.header("x-delivery-id", delivery);
    }
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
