package dev.spool.web;

import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** Puts {@link IndexedRequestMappings} in place of Spring MVC's own request mapping. */
@Configuration(proxyBeanMethods = false)
class RequestMappingConfig {

  @Bean
  WebMvcRegistrations indexedRequestMappings() {
    return new WebMvcRegistrations() {
      @Override
      public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
        return new IndexedRequestMappings();
      }
    };
  }
}
