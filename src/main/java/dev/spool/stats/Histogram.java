package dev.spool.stats;

import java.util.Map;
import java.util.TreeMap;

/**
 * A sparse log-scale histogram of durations in milliseconds, as stored in {@code job_stats}: bucket
 * {@code b} holds durations in [2^(b/4), 2^((b+1)/4)) ms (sub-millisecond ones in bucket 0), so a
 * percentile read from it is within about 9 % of the exact value, and minutes merge into coarser
 * steps exactly.
 */
final class Histogram {

  private final TreeMap<Integer, Long> buckets = new TreeMap<>();
  private long total;

  void add(int bucket, long count) {
    buckets.merge(bucket, count, Long::sum);
    total += count;
  }

  void addAll(Map<String, Long> stored) {
    stored.forEach((bucket, count) -> add(Integer.parseInt(bucket), count));
  }

  /** The {@code q} quantile (0 < q ≤ 1) in ms, the middle of its bucket; 0 when empty. */
  long quantile(double q) {
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      seen += e.getValue();
      if (seen >= rank) {
        return midpoint(e.getKey());
      }
    }
    return midpoint(buckets.lastKey());
  }

  static long midpoint(int bucket) {
    if (bucket <= 0) {
      return bucket < 0 ? 0 : 1;
    }
    return Math.round(Math.pow(2, (bucket + 0.5) / 4));
  }

  /** The bucket a duration falls in, as the roll-up's SQL computes it. */
  static int bucketOf(double ms) {
    return (int) Math.floor(4 * Math.log(Math.max(ms, 1)) / Math.log(2));
  }
}
