package dev.slipway.k8s;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * One overlay of {@code k8s/overlays} as {@code kubectl kustomize} renders it: the objects an SRE
 * would apply, as JSON trees (rendered once per JVM and shared by the tests).
 */
record Overlay(String name, List<ObjectNode> objects) {

  /** The overlay an SRE installs in production; it carries the production-only expectations. */
  static final String PROD = "prod";

  /** Slipway's own namespace and the one build Jobs run in. */
  static final String NAMESPACE = "slipway";

  static final String BUILD_NAMESPACE = "slipway-builds";

  /** The five services, as named everywhere (module, Deployment, image, KafkaUser, group). */
  static final List<String> SERVICES =
      List.of(
          "trigger-service", "build-service", "scan-service", "deploy-service", "audit-service");

  /** Every Deployment: the five services and the console (no Kafka, no database). */
  static final List<String> DEPLOYMENTS =
      List.of(
          "trigger-service",
          "build-service",
          "scan-service",
          "deploy-service",
          "audit-service",
          "console");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, Overlay> RENDERED = new ConcurrentHashMap<>();

  /** The k8s module's folder (the tests run with it as working directory under Maven). */
  static Path k8sDir() {
    return Path.of(System.getProperty("slipway.k8s.dir", ".")).toAbsolutePath().normalize();
  }

  /** The repository's root folder. */
  static Path repoDir() {
    return k8sDir().getParent();
  }

  /** The names of every overlay, in order. */
  static List<String> names() {
    try (Stream<Path> dirs = Files.list(k8sDir().resolve("overlays"))) {
      return dirs.filter(dir -> Files.exists(dir.resolve("kustomization.yaml")))
          .map(dir -> dir.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The overlay {@code name} rendered; skips the calling test where kustomize is unavailable. */
  static Overlay rendered(String name) {
    String unavailable = Kustomize.unavailableReason();
    assumeTrue(unavailable == null, () -> "manifests not rendered: " + unavailable);
    return RENDERED.computeIfAbsent(name, Overlay::render);
  }

  private static Overlay render(String name) {
    String yaml = Kustomize.render(k8sDir().resolve("overlays").resolve(name));
    List<ObjectNode> objects = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(yaml)) {
      for (var docs = YAML.readValues(parser, JsonNode.class); docs.hasNext(); ) {
        JsonNode doc = docs.next();
        if (doc instanceof ObjectNode object) {
          objects.add(object);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Overlay(name, List.copyOf(objects));
  }

  boolean isProd() {
    return PROD.equals(name);
  }

  /** Every object of {@code kind}. */
  List<ObjectNode> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  /** The object of {@code kind} named {@code name}, if rendered. */
  Optional<ObjectNode> find(String kind, String name) {
    return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst();
  }

  /** Every object of {@code kind}, bound to its model class (strictly, see {@link Models}). */
  <T> List<T> all(String kind, Class<T> type) {
    return ofKind(kind).stream().map(o -> Models.bind(o, type)).toList();
  }

  static String name(JsonNode object) {
    return object.path("metadata").path("name").asText();
  }

  static String namespace(JsonNode object) {
    return object.path("metadata").path("namespace").asText(null);
  }

  /** {@code Kind namespace/name}, for messages. */
  static String describe(JsonNode object) {
    String namespace = namespace(object);
    return object.path("kind").asText()
        + " "
        + (namespace == null ? "" : namespace + "/")
        + name(object);
  }

  @Override
  public String toString() {
    return name;
  }
}
