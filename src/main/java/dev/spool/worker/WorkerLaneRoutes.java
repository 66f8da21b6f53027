package dev.spool.worker;

import dev.spool.web.FastLane;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A worker's two calls per job, ack and complete, on the {@link FastLane}: answered by {@link
 * WorkerController}'s own methods without Spring MVC's dispatch.
 */
@Configuration(proxyBeanMethods = false)
class WorkerLaneRoutes {

  @Bean
  FastLane.Route ackRoute(WorkerController worker) {
    return new FastLane.Route("/api/v1/jobs/{jobId}/ack", worker::ack);
  }

  @Bean
  FastLane.Route completeRoute(WorkerController worker) {
    return new FastLane.Route("/api/v1/jobs/{jobId}/complete", worker::complete);
  }
}
