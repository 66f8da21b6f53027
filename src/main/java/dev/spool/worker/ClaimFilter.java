package dev.spool.worker;

import java.util.List;
import java.util.TreeSet;

/**
 * What waiting polls may share one claim statement on: the same space and the same name filter
 * (sorted and without repeats, so {@code ["b","a"]} and {@code ["a","b","a"]} share). A poll option
 * that changes the claim statement (such as acking on poll) belongs here too.
 *
 * @param spaceId the space whose jobs are claimed
 * @param names job names to take; empty means any
 * @param ack whether the claim acks too (ack on poll: the jobs go straight to running)
 */
record ClaimFilter(String spaceId, List<String> names, boolean ack) {

  static ClaimFilter of(String spaceId, PollRequest poll) {
    return new ClaimFilter(spaceId, List.copyOf(new TreeSet<>(poll.names())), poll.ack());
  }
}
