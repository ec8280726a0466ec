package dev.slipway.build.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.serialization.DefaultJsonNodeReader;
import com.networknt.schema.serialization.JsonNodeReader;
import com.networknt.schema.utils.JsonNodes;
import dev.slipway.events.VulnerabilityIgnore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code .slipway.yaml}: the YAML is parsed keeping each node's position, validated against
 * the JSON Schema shipped in this module ({@code schema/slipway-build.schema.json}), and every
 * problem is reported with the field's path and its line, so a developer finds it at once.
 */
public final class BuildSpecParser {

  /** The file name at the repository root. */
  public static final String FILE_NAME = ".slipway.yaml";

  /** Classpath location of the JSON Schema. */
  public static final String SCHEMA_RESOURCE = "/schema/slipway-build.schema.json";

  private static final int MAX_PROBLEMS = 5;

  private static final JsonNode SCHEMA_TREE = loadSchemaTree();

  private final JsonNodeReader reader =
      DefaultJsonNodeReader.builder().yamlMapper(new YAMLMapper()).locationAware().build();
  private final JsonSchema schema;

  public BuildSpecParser() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    this.schema = factory.getSchema(SchemaLocation.of("classpath:" + SCHEMA_RESOURCE));
  }

  /** Parses and validates the file's content. */
  public BuildSpec parse(byte[] content) {
    JsonNode root = read(content);
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new BuildSpecException("", 1, FILE_NAME + " is empty");
    }
    Set<ValidationMessage> messages = schema.validate(root);
    if (!messages.isEmpty()) {
      throw invalid(root, messages);
    }
    return toSpec(root);
  }

  private JsonNode read(byte[] content) {
    try {
      return reader.readTree(new String(content, StandardCharsets.UTF_8), InputFormat.YAML);
    } catch (JsonProcessingException e) {
      throw notYaml(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      // The reader wraps the parser's error.
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof JsonProcessingException parse) {
          throw notYaml(parse);
        }
        if (cause instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked
            && marked.getProblemMark() != null) {
          int line = marked.getProblemMark().getLine() + 1;
          throw new BuildSpecException(
              "", line, FILE_NAME + " line " + line + ": not valid YAML: " + marked.getProblem());
        }
      }
      throw new BuildSpecException(
          "", 0, FILE_NAME + " is not valid YAML: " + String.valueOf(e.getCause()));
    }
  }

  private static BuildSpecException notYaml(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    int line = location == null ? 0 : location.getLineNr();
    return new BuildSpecException(
        "", line, FILE_NAME + " line " + line + ": not valid YAML: " + e.getOriginalMessage());
  }

  private static BuildSpecException invalid(JsonNode root, Set<ValidationMessage> messages) {
    List<Problem> problems = new ArrayList<>();
    for (ValidationMessage message : messages) {
      problems.add(problemOf(root, message));
    }
    problems.sort(Comparator.comparingInt(Problem::line).thenComparing(Problem::field));
    Problem first = problems.get(0);
    StringBuilder text = new StringBuilder(FILE_NAME).append(" is invalid: ");
    problems.stream()
        .distinct()
        .limit(MAX_PROBLEMS)
        .forEach(
            p ->
                text.append("line ")
                    .append(p.line())
                    .append(": ")
                    .append(p.field().isEmpty() ? "(top level)" : p.field())
                    .append(' ')
                    .append(p.message())
                    .append("; "));
    text.setLength(text.length() - 2);
    return new BuildSpecException(first.field(), first.line(), text.toString());
  }

  private static Problem problemOf(JsonNode root, ValidationMessage message) {
    JsonNodePath path = message.getInstanceLocation();
    String field = fieldName(path);
    JsonNode node = JsonNodes.get(root, path);
    String property = message.getProperty();
    boolean namesProperty =
        property != null
            && ("required".equals(message.getType())
                || "additionalProperties".equals(message.getType()));
    if (namesProperty) {
      field = field.isEmpty() ? property : field + "." + property;
      JsonNode child = node == null ? null : node.get(property);
      node = child != null ? child : node;
    }
    String text =
        switch (message.getType()) {
          case "required" -> "is required";
          case "additionalProperties" -> "is not a known field";
          default -> describe(message);
        };
    return new Problem(field, lineOf(node), text);
  }

  private static String describe(ValidationMessage message) {
    String text = message.getMessage();
    // The library prefixes the instance location; the field is named separately.
    int colon = text.indexOf(": ");
    if (text.startsWith("$") && colon > 0) {
      text = text.substring(colon + 2);
    }
    if ("pattern".equals(message.getType())) {
      // A bare regex says little; the schema's description of the value says what is expected.
      String hint = descriptionOf(message.getSchemaLocation());
      return hint == null ? text : "is not valid: " + hint;
    }
    return text;
  }

  private static String descriptionOf(SchemaLocation location) {
    JsonNodePath keyword = location == null ? null : location.getFragment();
    JsonNode node = keyword == null ? null : JsonNodes.get(SCHEMA_TREE, keyword.getParent());
    JsonNode description = node == null ? null : node.get("description");
    return description == null ? null : description.asText();
  }

  private static String fieldName(JsonNodePath path) {
    String text = path.toString();
    if (text.startsWith("$")) {
      text = text.substring(1);
    }
    return text.startsWith(".") ? text.substring(1) : text;
  }

  private static int lineOf(JsonNode node) {
    if (node == null) {
      return 0;
    }
    JsonLocation location = JsonNodes.tokenLocationOf(node);
    return location == null ? 0 : location.getLineNr();
  }

  private static BuildSpec toSpec(JsonNode root) {
    List<BuildSpec.Step> steps = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    JsonNode stepNodes = root.get("steps");
    for (int i = 0; i < stepNodes.size(); i++) {
      JsonNode step = stepNodes.get(i);
      String name = step.get("name").asText();
      if (!names.add(name)) {
        throw new BuildSpecException(
            "steps[" + i + "].name",
            lineOf(step.get("name")),
            FILE_NAME
                + " is invalid: line "
                + lineOf(step.get("name"))
                + ": steps["
                + i
                + "].name '"
                + name
                + "' is used by an earlier step");
      }
      steps.add(
          new BuildSpec.Step(
              name,
              step.get("run").asText(),
              text(step, "workdir"),
              strings(step.get("env")),
              duration(step.get("timeout"))));
    }
    JsonNode cache = root.get("cache");
    return new BuildSpec(
        text(root, "toolchain"),
        duration(root.get("timeout")),
        strings(root.get("env")),
        strings(root.get("secrets")),
        cache == null
            ? null
            : new BuildSpec.Cache(list(cache.get("key")), list(cache.get("paths"))),
        steps,
        image(root.get("image")),
        text(root, "sbom"),
        list(root.get("reports")),
        ignores(root.get("ignores")),
        lines(root),
        root.has("deploy")
            ? new BuildSpec.Deploy(
                root.get("deploy").get("manifests").asText(),
                strings(root.get("deploy").get("environments")))
            : null);
  }

  /** The line of every field and list item, by its path ({@code steps[0].run}). */
  private static Map<String, Integer> lines(JsonNode root) {
    Map<String, Integer> lines = new LinkedHashMap<>();
    collectLines("", root, lines);
    return lines;
  }

  private static void collectLines(String path, JsonNode node, Map<String, Integer> lines) {
    if (!path.isEmpty()) {
      lines.put(path, lineOf(node));
    }
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e ->
                  collectLines(
                      path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), lines));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectLines(path + "[" + i + "]", node.get(i), lines);
      }
    }
  }

  private static BuildSpec.Image image(JsonNode image) {
    JsonNode port = image.get("port");
    return new BuildSpec.Image(
        BuildSpec.Builder.valueOf(image.get("builder").asText().toUpperCase(java.util.Locale.ROOT)),
        text(image, "dockerfile"),
        text(image, "context"),
        text(image, "base"),
        image.has("files") ? list(image.get("files")) : null,
        text(image, "workdir"),
        image.has("entrypoint") ? list(image.get("entrypoint")) : null,
        port == null ? null : port.asInt());
  }

  private static List<VulnerabilityIgnore> ignores(JsonNode ignores) {
    List<VulnerabilityIgnore> result = new ArrayList<>();
    if (ignores == null) {
      return result;
    }
    for (int i = 0; i < ignores.size(); i++) {
      JsonNode ignore = ignores.get(i);
      JsonNode expires = ignore.get("expires");
      try {
        result.add(
            new VulnerabilityIgnore(
                ignore.get("id").asText(),
                ignore.get("reason").asText(),
                LocalDate.parse(expires.asText())));
      } catch (DateTimeParseException e) {
        String field = "ignores[" + i + "].expires";
        throw new BuildSpecException(
            field,
            lineOf(expires),
            FILE_NAME
                + " is invalid: line "
                + lineOf(expires)
                + ": "
                + field
                + " is not a date: "
                + expires.asText());
      }
    }
    return result;
  }

  private static Duration duration(JsonNode node) {
    if (node == null) {
      return null;
    }
    String text = node.asText();
    long amount = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null ? null : value.asText();
  }

  private static List<String> list(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node != null) {
      node.forEach(value -> values.add(value.asText()));
    }
    return values;
  }

  private static Map<String, String> strings(JsonNode node) {
    Map<String, String> values = new LinkedHashMap<>();
    if (node != null) {
      node.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
    }
    return values;
  }

  private static JsonNode loadSchemaTree() {
    try (var in = BuildSpecParser.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Problem(String field, int line, String message) {}
}
