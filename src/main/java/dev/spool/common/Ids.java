package dev.spool.common;

import com.github.f4b6a3.ulid.Ulid;
import com.github.f4b6a3.ulid.UlidCreator;

/** ULIDs for every id Spool hands out: monotonic within a millisecond, so ids sort by creation. */
public final class Ids {

  private Ids() {}

  /** The length of an id's text. */
  public static final int LENGTH = 26;

  public static String next() {
    return UlidCreator.getMonotonicUlid().toString();
  }

  /** True when the text could be an id; lets lookups answer 404 without a query. */
  public static boolean isValid(String text) {
    return text != null && Ulid.isValid(text);
  }
}
