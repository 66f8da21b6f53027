package dev.spool.worker;

import dev.spool.database.SpaceRouting;
import org.springframework.stereotype.Component;

/**
 * Kill for callers outside the worker package (the dashboard's bulk action): the very statement of
 * {@code POST /jobs/:id/kill}, so events, callbacks and counts follow exactly as there.
 */
@Component
public class Kills {

  private final Transitions transitions;

  private final SpaceRouting routing;

  Kills(Transitions transitions, SpaceRouting routing) {
    this.transitions = transitions;
    this.routing = routing;
  }

  /** Kills the job if it is still active and in {@code spaceId}; true when it was killed. */
  public boolean kill(String jobId, String spaceId, String reason) {
    // on Citus a call without a space is routed to the job's, looked up first (docs/scaling.md)
    String space = routing.route(jobId, spaceId);
    return transitions.kill(jobId, new Transitions.Guard(space, null), reason).isPresent();
  }
}
