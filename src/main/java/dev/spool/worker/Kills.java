package dev.spool.worker;

import org.springframework.stereotype.Component;

/**
 * Kill for callers outside the worker package (the dashboard's bulk action): the very statement of
 * {@code POST /jobs/:id/kill}, so events, callbacks and counts follow exactly as there.
 */
@Component
public class Kills {

  private final Transitions transitions;

  Kills(Transitions transitions) {
    this.transitions = transitions;
  }

  /** Kills the job if it is still active and in {@code spaceId}; true when it was killed. */
  public boolean kill(String jobId, String spaceId, String reason) {
    return transitions.kill(jobId, new Transitions.Guard(spaceId, null), reason).isPresent();
  }
}
