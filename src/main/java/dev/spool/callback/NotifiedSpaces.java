package dev.spool.callback;

import dev.spool.database.PgNotifications;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * On Citus: which spaces a sender loop's next turn must look at. A turn woken by commit
 * notifications looks at the spaces they named only — each a query routed to one shard — instead of
 * asking every shard which spaces have work: that read over all 32 shards, once per wake-up of each
 * loop (every 20 ms under load), was most of what the workers did besides the jobs themselves.
 *
 * <p>A notification {@code <txid>:<space>[,<space>...]} names the spaces whose jobs got events in a
 * committed transaction, and a callback delivery or a space notification is written in the
 * transaction that changed its job, so the wake-up names its space. Everything else — a payload
 * that names no spaces ({@code <txid>:*}), a reconnect of the listening connection (notifications
 * may have been lost), work the loop left behind (a full batch, a sender that became free, retries
 * that fall due later) — asks for every space, and so does the first turn after {@code fullEvery}
 * without one: at most one read over every shard per poll interval.
 */
final class NotifiedSpaces {

  private final Set<String> spaces = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean everything = new AtomicBoolean(true);
  private final Duration fullEvery;
  private final LongSupplier nanoTime;
  private long lastFull;

  NotifiedSpaces(Duration fullEvery) {
    this(fullEvery, System::nanoTime);
  }

  NotifiedSpaces(Duration fullEvery, LongSupplier nanoTime) {
    this.fullEvery = fullEvery;
    this.nanoTime = nanoTime;
    this.lastFull = nanoTime.getAsLong();
  }

  /** Notes the spaces of a {@code spool_events} payload; called from the notification thread. */
  void add(String payload) {
    List<String> named = PgNotifications.eventsSpaces(payload);
    if (named == null) {
      everything.set(true);
      return;
    }
    named.forEach(this::addSpace);
  }

  /** Notes one space (a {@code spool_pending} payload). */
  void addSpace(String space) {
    if (space == null || space.isEmpty()) {
      everything.set(true);
    } else {
      spaces.add(space);
    }
  }

  /** The next turn must look at every space. */
  void everything() {
    everything.set(true);
  }

  /**
   * The spaces for this turn, taken out of the set, or null for every space. A space noted while
   * the turn runs stays for the next one.
   */
  Set<String> take() {
    long now = nanoTime.getAsLong();
    if (everything.getAndSet(false) || now - lastFull >= fullEvery.toNanos()) {
      lastFull = now;
      spaces.clear(); // the read over every space comes after: it sees their commits
      return null;
    }
    Set<String> taken = new HashSet<>();
    for (String space : spaces) {
      if (spaces.remove(space)) {
        taken.add(space);
      }
    }
    return taken;
  }
}
