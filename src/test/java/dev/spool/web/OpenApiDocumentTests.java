package dev.spool.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTests {

  @Test
  void theHandWrittenDocumentParsesAndResolvesItsReferences() {
    OpenAPI doc = OpenApiDocument.load();
    assertThat(doc.getPaths())
        .containsKeys("/api/v1/jobs/{jobId}/logs", "/api/v1/spaces/{spaceId}/jobs");
    String text = io.swagger.v3.core.util.Json.pretty(doc);
    var refs = java.util.regex.Pattern.compile("#/components/(\\w+)/(\\w+)").matcher(text);
    while (refs.find()) {
      String kind = refs.group(1);
      String name = refs.group(2);
      boolean present =
          switch (kind) {
            case "schemas" -> doc.getComponents().getSchemas().containsKey(name);
            case "responses" -> doc.getComponents().getResponses().containsKey(name);
            case "parameters" -> doc.getComponents().getParameters().containsKey(name);
            default -> false;
          };
      assertThat(present).as(refs.group()).isTrue();
    }
  }

  @Test
  void anyJsonFieldsStayUntypedInTheServedModel() {
    OpenAPI doc = OpenApiDocument.load();
    var schemas = doc.getComponents().getSchemas();

    for (String[] field :
        new String[][] {
          {"Job", "payload"},
          {"Job", "result"},
          {"Event", "data"},
          {"JobInput", "payload"},
          {"JobDescriptor", "payload"},
          {"LogLine", "data"}
        }) {
      var schema =
          (io.swagger.v3.oas.models.media.Schema<?>)
              schemas.get(field[0]).getProperties().get(field[1]);
      assertThat(schema.getType()).as(field[0] + "." + field[1]).isNull();
      assertThat(io.swagger.v3.core.util.Json.pretty(schema)).doesNotContain("\"type\"");
    }
    // a schema that lists properties is still an object
    assertThat(schemas.get("Job").getType()).isEqualTo("object");
  }
}
