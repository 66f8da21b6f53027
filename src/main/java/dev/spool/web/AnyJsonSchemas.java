package dev.spool.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.List;
import java.util.Map;

/**
 * Keeps the "any JSON value" schemas of openapi/spool.yaml untyped. swagger-core reads a schema
 * without {@code type} (such as {@code payload: {description: Any JSON}}) as an object schema, so
 * the served document would claim that payload, result and event data are objects while Spool takes
 * and returns any JSON value. This walks the loaded model next to the YAML tree it came from and
 * removes the type wherever the YAML has none (and no properties that would make it an object
 * anyway).
 */
final class AnyJsonSchemas {

  private AnyJsonSchemas() {}

  static void restore(OpenAPI document, JsonNode raw) {
    if (document.getComponents() != null) {
      JsonNode components = raw.path("components");
      schemas(document.getComponents().getSchemas(), components.path("schemas"));
      Map<String, ApiResponse> responses = document.getComponents().getResponses();
      if (responses != null) {
        responses.forEach(
            (name, r) -> content(r.getContent(), components.path("responses").path(name)));
      }
    }
    if (document.getPaths() != null) {
      document.getPaths().forEach((path, item) -> pathItem(item, raw.path("paths").path(path)));
    }
  }

  private static void pathItem(PathItem item, JsonNode raw) {
    parameters(item.getParameters(), raw.path("parameters"));
    item.readOperationsMap()
        .forEach(
            (method, op) ->
                operation(op, raw.path(method.name().toLowerCase(java.util.Locale.ROOT))));
  }

  private static void operation(Operation op, JsonNode raw) {
    parameters(op.getParameters(), raw.path("parameters"));
    if (op.getRequestBody() != null) {
      content(op.getRequestBody().getContent(), raw.path("requestBody"));
    }
    if (op.getResponses() != null) {
      op.getResponses()
          .forEach((code, r) -> content(r.getContent(), raw.path("responses").path(code)));
    }
  }

  private static void parameters(List<Parameter> parameters, JsonNode raw) {
    if (parameters != null) {
      for (int i = 0; i < parameters.size(); i++) {
        schema(parameters.get(i).getSchema(), raw.path(i).path("schema"));
      }
    }
  }

  private static void content(Content content, JsonNode raw) {
    if (content != null) {
      content.forEach(
          (type, media) ->
              schema(media.getSchema(), raw.path("content").path(type).path("schema")));
    }
  }

  private static void schemas(Map<String, Schema> schemas, JsonNode raw) {
    if (schemas != null) {
      schemas.forEach((name, s) -> schema(s, raw.path(name)));
    }
  }

  private static void schema(Schema<?> schema, JsonNode raw) {
    if (schema == null || !raw.isObject() || raw.has("$ref")) {
      return;
    }
    if (!raw.has("type")
        && !raw.has("properties")
        && !raw.has("additionalProperties")
        && schema.getType() != null) {
      schema.setType(null);
      schema.setTypes(null);
    }
    schemas(schema.getProperties(), raw.path("properties"));
    schema(schema.getItems(), raw.path("items"));
    if (schema.getAdditionalProperties() instanceof Schema<?> additional) {
      schema(additional, raw.path("additionalProperties"));
    }
    list(schema.getAllOf(), raw.path("allOf"));
    list(schema.getAnyOf(), raw.path("anyOf"));
    list(schema.getOneOf(), raw.path("oneOf"));
  }

  private static void list(List<Schema> schemas, JsonNode raw) {
    if (schemas != null) {
      for (int i = 0; i < schemas.size(); i++) {
        schema(schemas.get(i), raw.path(i));
      }
    }
  }
}
