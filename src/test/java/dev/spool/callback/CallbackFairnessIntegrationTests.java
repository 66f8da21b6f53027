package dev.spool.callback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spool.job.JobStatus;
import dev.spool.support.TestApi.TestSpace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One space's hanging receivers must not hold back another space's callbacks: the dispatcher serves
 * spaces round-robin and caps one space's attempts in flight.
 */
class CallbackFairnessIntegrationTests extends CallbackTest {

  /** Accepts connections on 127.0.0.1 and never answers: every attempt waits for its timeout. */
  private static final class Tarpit implements AutoCloseable {
    final ServerSocket socket;
    final List<Socket> held = Collections.synchronizedList(new ArrayList<>());

    Tarpit() throws IOException {
      socket = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    held.add(socket.accept());
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort() + "/black-hole";
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (held) {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  @Test
  void twoThousandCallbacksToATarpitDoNotHoldBackAnotherSpacesCallbacks() throws Exception {
    TestSpace hog = api.newSpace();
    TestSpace other = api.newSpace();
    try (Tarpit tarpit = new Tarpit();
        Receiver receiver = Receiver.start()) {
      jobs.in(hog).name("hog").status(JobStatus.COMPLETED).callback(tarpit.url()).insert(2000);
      // the hog's deliveries are all due and older than the other space's
      Thread.sleep(500);

      List<String> otherJobs =
          jobs.in(other)
              .name("send-report")
              .status(JobStatus.COMPLETED)
              .callback(receiver.url("/ok"))
              .insert(5);

      // unfair dispatch needs 2,000 / 16 senders × 2 s ≈ 4 minutes to reach them; fair, a moment
      long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (receiver.all().size() < otherJobs.size() && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      assertThat(receiver.all()).as("the other space's callbacks").hasSize(otherJobs.size());

      int inFlight =
          jdbc.sql(
                  "SELECT count(*) FROM callback_deliveries WHERE space_id = :s"
                      + " AND lease_token IS NOT NULL AND lease_until > now()")
              .param("s", hog.id())
              .query(Integer.class)
              .single();
      assertThat(inFlight).as("the hog's attempts in flight").isLessThanOrEqualTo(4);
    } finally {
      // leave nothing for the shared context's dispatcher to keep trying
      jdbc.sql(
              "UPDATE callback_deliveries SET state = 'failed', lease_token = NULL,"
                  + " lease_until = NULL WHERE space_id = :s")
          .param("s", hog.id())
          .update();
    }
  }
}
