package dev.spool.web;

import io.swagger.v3.core.util.Yaml;
import io.swagger.v3.oas.models.OpenAPI;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/**
 * Serves the hand-maintained API description ({@code openapi/spool.yaml}) through springdoc at
 * {@code /v3/api-docs} and the Swagger UI at {@code /swagger-ui.html}. Controllers take the raw
 * request (so bad input answers uniformly), which leaves nothing for springdoc to infer bodies
 * from; the document therefore replaces whatever springdoc scanned. A test checks that every {@code
 * /api/v1} route is described.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiDocument {

  static final String LOCATION = "openapi/spool.yaml";

  @Bean
  OpenApiCustomizer spoolApiDocument() {
    OpenAPI document = load();
    return scanned -> {
      scanned.setOpenapi(document.getOpenapi());
      scanned.setInfo(document.getInfo());
      scanned.setServers(document.getServers());
      scanned.setSecurity(document.getSecurity());
      scanned.setTags(document.getTags());
      scanned.setPaths(document.getPaths());
      scanned.setComponents(document.getComponents());
    };
  }

  static OpenAPI load() {
    try (InputStream in = new ClassPathResource(LOCATION).getInputStream()) {
      byte[] yaml = in.readAllBytes();
      OpenAPI document = Yaml.mapper().readValue(yaml, OpenAPI.class);
      AnyJsonSchemas.restore(document, Yaml.mapper().readTree(yaml));
      return document;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + LOCATION, e);
    }
  }
}
