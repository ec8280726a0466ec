package dev.slipway.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The custom resources that have no Java model here (CloudNativePG, its Barman Cloud plugin, KEDA,
 * cert-manager), checked against the schemas their projects publish in their CRDs (copied under
 * {@code src/test/resources/crds}, see the README there).
 *
 * <p>An API server prunes fields a structural schema does not declare; here they are errors, like
 * the unknown fields of the typed models: every object schema without {@code
 * x-kubernetes-preserve-unknown-fields} gets {@code additionalProperties: false}. The OpenAPI
 * extensions become JSON Schema ({@code nullable}, {@code x-kubernetes-int-or-string}). Not
 * checked: the CEL rules ({@code x-kubernetes-validations}), which need a CEL evaluator.
 */
final class CrdSchemas {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);
  private static final Map<String, Crd> BY_KEY = load();

  /**
   * A published CRD and the strict schema of each version it serves, by {@code apiVersion/Kind}.
   */
  record Crd(CustomResourceDefinition definition, JsonSchema schema) {}

  private CrdSchemas() {}

  /** Whether {@code object}'s kind is one of the shipped CRDs. */
  static boolean covers(JsonNode object) {
    return BY_KEY.containsKey(Models.key(object));
  }

  /** Every shipped CRD (the mock API server learns their kinds from them). */
  static List<CustomResourceDefinition> definitions() {
    return BY_KEY.values().stream().map(Crd::definition).distinct().toList();
  }

  /** What is wrong with {@code object} by its CRD's schema; empty when it conforms. */
  static List<String> violations(JsonNode object) {
    Crd crd = Objects.requireNonNull(BY_KEY.get(Models.key(object)), Models.key(object));
    List<String> violations = new ArrayList<>();
    for (ValidationMessage message : crd.schema().validate(object)) {
      violations.add(message.getMessage());
    }
    // The CRD says only "metadata: object"; the API server checks it as ObjectMeta.
    try {
      Models.bind(object.path("metadata"), ObjectMeta.class);
    } catch (IllegalArgumentException e) {
      violations.add("metadata: " + e.getMessage());
    }
    return violations;
  }

  private static Map<String, Crd> load() {
    Map<String, Crd> byKey = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(crdDirectory())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        JsonNode raw = YAML.readTree(file.toFile());
        CustomResourceDefinition definition = YAML.treeToValue(raw, CustomResourceDefinition.class);
        String group = raw.path("spec").path("group").asText();
        String kind = raw.path("spec").path("names").path("kind").asText();
        for (JsonNode version : raw.path("spec").path("versions")) {
          if (!version.path("served").asBoolean()) {
            continue;
          }
          ObjectNode schema =
              (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
          strict(schema, true);
          String key = group + "/" + version.path("name").asText() + "/" + kind;
          byKey.put(key, new Crd(definition, FACTORY.getSchema(schema)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return byKey;
  }

  private static Path crdDirectory() {
    try {
      return Path.of(Objects.requireNonNull(CrdSchemas.class.getResource("/crds")).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Turns one structural-schema node (and everything below it) into strict JSON Schema. */
  private static void strict(ObjectNode schema, boolean root) {
    if (schema.path("nullable").asBoolean() && schema.has("type")) {
      ArrayNode types = JsonNodeFactory.instance.arrayNode();
      types.add(schema.get("type")).add("null");
      schema.set("type", types);
    }
    if (schema.path("x-kubernetes-int-or-string").asBoolean() && !schema.has("anyOf")) {
      ArrayNode anyOf = schema.putArray("anyOf");
      anyOf.addObject().put("type", "integer");
      anyOf.addObject().put("type", "string");
    }
    boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
    boolean object = "object".equals(schema.path("type").asText()) || schema.has("properties");
    if (object && !preserve && !schema.has("additionalProperties")) {
      schema.put("additionalProperties", false);
    }
    JsonNode properties = schema.path("properties");
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      if (root && property.getKey().equals("metadata")) {
        continue; // checked as ObjectMeta
      }
      strictChild(property.getValue());
    }
    strictChild(schema.get("items"));
    strictChild(schema.get("additionalProperties"));
    // allOf, anyOf, oneOf and not hold value validations only (a structural schema may not declare
    // types or additionalProperties there): they stay as published.
  }

  private static void strictChild(JsonNode node) {
    if (node instanceof ObjectNode child) {
      strict(child, false);
    } else if (node instanceof ArrayNode items) {
      items.forEach(CrdSchemas::strictChild);
    }
  }
}
