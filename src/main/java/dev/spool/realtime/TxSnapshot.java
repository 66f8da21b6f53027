package dev.spool.realtime;

import java.util.HashSet;
import java.util.Set;

/**
 * A PostgreSQL snapshot as {@code txid_current_snapshot()} prints it ({@code xmin:xmax:xip,...}). A
 * state read under this snapshot already contains the effects of every committed transaction the
 * snapshot sees, so a stream that starts from that state must not apply them again.
 */
record TxSnapshot(long xmin, long xmax, Set<Long> inProgress) {

  static TxSnapshot parse(String text) {
    String[] parts = text.split(":", 3);
    Set<Long> xip = new HashSet<>();
    if (parts.length == 3 && !parts[2].isEmpty()) {
      for (String x : parts[2].split(",")) {
        xip.add(Long.parseLong(x));
      }
    }
    return new TxSnapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
  }

  /** Whether a (committed) transaction's effects are visible in this snapshot. */
  boolean sees(long tx) {
    return tx < xmin || (tx < xmax && !inProgress.contains(tx));
  }
}
