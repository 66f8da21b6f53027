package dev.spool.job;

import dev.spool.web.FastLane;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A single create ({@code POST /api/v1/spaces/:spaceId/jobs}) on the {@link FastLane}: answered by
 * {@link JobController#create} without Spring MVC's dispatch.
 */
@Configuration(proxyBeanMethods = false)
class JobLaneRoutes {

  @Bean
  FastLane.Route createRoute(JobController jobs) {
    return new FastLane.Route("/api/v1/spaces/{spaceId}/jobs", jobs::create);
  }
}
