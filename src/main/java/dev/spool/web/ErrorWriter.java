package dev.spool.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Writes the contract's error body from code that runs outside Spring MVC (filters). */
@Component
public class ErrorWriter {

  private final JsonMapper mapper;

  ErrorWriter(JsonMapper mapper) {
    this.mapper = mapper;
  }

  public void write(HttpServletResponse response, ApiException e) throws IOException {
    response.setStatus(e.status().value());
    if (e instanceof TooManyAttempts t) {
      response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(t.retryAfterSeconds()));
    }
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    response.setCharacterEncoding("UTF-8");
    mapper.writeValue(response.getOutputStream(), ErrorBody.of(e));
  }
}
