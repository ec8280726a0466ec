package dev.slipway.build.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.marcnuri.helm.Helm;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.events.EnvironmentSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Renders an application's own Kubernetes manifests at build time, once per environment of its
 * pipeline (the rendered-manifests pattern): a directory of YAML files (multi-document allowed)
 * with an optional per-environment directory whose objects are added or replace those of the same
 * kind, namespace and name; or a Helm chart (a directory with {@code Chart.yaml}) rendered
 * in-process with helm-java, with an optional per-environment values file. Every object goes into
 * the environment's namespace (one naming another is refused); cluster-scoped kinds are refused
 * unless the environment allows them; every container and init container whose image is the
 * application's name or its image repository (any tag) is pinned to the build's digest. Every path
 * the repository names is resolved to its real path and refused when it leaves the workspace.
 */
public final class ManifestRenderer {

  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
  private static final Set<String> CLUSTER_SCOPED =
      Set.of(
          "Namespace",
          "Node",
          "PersistentVolume",
          "ClusterRole",
          "ClusterRoleBinding",
          "CustomResourceDefinition",
          "StorageClass",
          "PriorityClass",
          "IngressClass",
          "ValidatingWebhookConfiguration",
          "MutatingWebhookConfiguration",
          "APIService",
          "RuntimeClass",
          "CSIDriver",
          "VolumeAttachment");
  private static final int MAX_FILES = 200;
  private static final long MAX_BYTES = 2L * 1024 * 1024;

  /**
   * Renders {@code deploy} from {@code workspace} for each environment.
   *
   * @param application the application (its name pins {@code image: <application>})
   * @param pinned the image by digest, {@code repository@sha256:…}
   * @return environment name to the YAML of its objects
   * @throws ManifestException naming the file, environment or object at fault
   */
  public Map<String, String> render(
      Path workspace,
      BuildSpec.Deploy deploy,
      List<EnvironmentSpec> environments,
      String application,
      String pinned) {
    Path root = realRoot(workspace);
    Path source = inside(root, deploy.manifests(), "deploy.manifests");
    if (!Files.isDirectory(source)) {
      throw new ManifestException(
          "deploy.manifests: " + deploy.manifests() + " is not a directory of this commit");
    }
    for (String named : deploy.environments().keySet()) {
      if (environments.stream().noneMatch(e -> e.name().equals(named))) {
        throw new ManifestException(
            "deploy.environments." + named + ": the application has no environment " + named);
      }
    }
    boolean chart = Files.isRegularFile(source.resolve("Chart.yaml"));
    Map<String, String> rendered = new LinkedHashMap<>();
    for (EnvironmentSpec environment : environments) {
      String overlay = deploy.environments().get(environment.name());
      Path overlayPath =
          overlay == null
              ? null
              : inside(root, overlay, "deploy.environments." + environment.name());
      List<ObjectNode> objects =
          chart
              ? chart(source, overlayPath, application, environment)
              : directory(root, source, overlayPath, environment);
      List<ObjectNode> finished = new ArrayList<>();
      for (ObjectNode object : objects) {
        finished.add(finish(object, environment, application, pinned));
      }
      rendered.put(environment.name(), write(finished));
    }
    return rendered;
  }

  private List<ObjectNode> chart(
      Path chart, Path values, String application, EnvironmentSpec environment) {
    if (values != null && !Files.isRegularFile(values)) {
      throw new ManifestException(
          "deploy.environments." + environment.name() + " must name a values file of the chart");
    }
    String yaml;
    try {
      var template =
          new Helm(chart).template().withName(application).withNamespace(environment.namespace());
      if (values != null) {
        template = template.withValuesFile(values);
      }
      yaml = template.call();
    } catch (RuntimeException e) {
      throw new ManifestException(
          "the Helm chart "
              + chart.getFileName()
              + " does not render for "
              + environment.name()
              + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    return parse(yaml, "chart " + chart.getFileName());
  }

  private List<ObjectNode> directory(
      Path root, Path directory, Path overlay, EnvironmentSpec environment) {
    Map<String, ObjectNode> objects = new LinkedHashMap<>();
    for (ObjectNode object : files(root, directory)) {
      objects.put(key(object, environment), object);
    }
    if (overlay != null) {
      if (!Files.isDirectory(overlay)) {
        throw new ManifestException(
            "deploy.environments." + environment.name() + " must name a directory of YAML files");
      }
      for (ObjectNode object : files(root, overlay)) {
        objects.put(key(object, environment), object);
      }
    }
    return new ArrayList<>(objects.values());
  }

  private List<ObjectNode> files(Path root, Path directory) {
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files =
          listing.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
    } catch (IOException e) {
      throw new ManifestException(
          "cannot list " + root.relativize(directory) + ": " + e.getMessage());
    }
    if (files.size() > MAX_FILES) {
      throw new ManifestException(
          root.relativize(directory) + " holds more than " + MAX_FILES + " files");
    }
    List<ObjectNode> objects = new ArrayList<>();
    for (Path file : files) {
      Path real =
          inside(root, root.relativize(file.toAbsolutePath()).toString(), "deploy.manifests");
      if (!Files.isRegularFile(real)) {
        continue;
      }
      try {
        if (Files.size(real) > MAX_BYTES) {
          throw new ManifestException(
              root.relativize(file) + " is larger than " + MAX_BYTES + " bytes");
        }
        objects.addAll(parse(Files.readString(real), root.relativize(file).toString()));
      } catch (IOException e) {
        throw new ManifestException("cannot read " + root.relativize(file) + ": " + e.getMessage());
      }
    }
    return objects;
  }

  private static List<ObjectNode> parse(String yaml, String source) {
    List<ObjectNode> objects = new ArrayList<>();
    try (JsonParser parser = YAML.getFactory().createParser(yaml);
        MappingIterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class)) {
      int index = 0;
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        index++;
        if (document == null || document.isNull() || document.isMissingNode()) {
          continue;
        }
        if (!document.isObject()
            || document.path("apiVersion").asText().isEmpty()
            || document.path("kind").asText().isEmpty()
            || document.path("metadata").path("name").asText().isEmpty()) {
          throw new ManifestException(
              source
                  + " document "
                  + index
                  + ": not a Kubernetes object (apiVersion, kind and metadata.name are required)");
        }
        objects.add((ObjectNode) document);
      }
    } catch (IOException e) {
      throw new ManifestException(
          source + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return objects;
  }

  private static String key(ObjectNode object, EnvironmentSpec environment) {
    String namespace = object.path("metadata").path("namespace").asText(environment.namespace());
    return object.path("kind").asText()
        + "/"
        + namespace
        + "/"
        + object.path("metadata").path("name").asText();
  }

  private static ObjectNode finish(
      ObjectNode object, EnvironmentSpec environment, String application, String pinned) {
    String kind = object.path("kind").asText();
    String name = object.path("metadata").path("name").asText();
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    if (CLUSTER_SCOPED.contains(kind)) {
      if (!environment.deployment().allowClusterResources()) {
        throw new ManifestException(
            "%s %s is cluster-scoped; environment %s allows only namespaced objects in namespace %s"
                .formatted(kind, name, environment.name(), environment.namespace()));
      }
      metadata.remove("namespace");
    } else {
      String namespace = metadata.path("namespace").asText("");
      if (!namespace.isEmpty() && !namespace.equals(environment.namespace())) {
        throw new ManifestException(
            "%s %s names namespace %s; environment %s deploys only into %s"
                .formatted(kind, name, namespace, environment.name(), environment.namespace()));
      }
      metadata.put("namespace", environment.namespace());
    }
    pin(object, application, pinned);
    return object;
  }

  /** Pins every container of the application's image in any pod template of {@code node}. */
  static void pin(JsonNode node, String application, String pinned) {
    String repository = repositoryOf(pinned);
    if (node.isObject()) {
      for (String list : List.of("containers", "initContainers")) {
        JsonNode containers = node.get(list);
        if (containers instanceof ArrayNode array) {
          for (JsonNode container : array) {
            String image = container.path("image").asText(null);
            if (image != null
                && (repositoryOf(image).equals(repository)
                    || repositoryOf(image).equals(application))) {
              ((ObjectNode) container).put("image", pinned);
            }
          }
        }
      }
      node.forEach(child -> pin(child, application, pinned));
    } else if (node.isArray()) {
      node.forEach(child -> pin(child, application, pinned));
    }
  }

  static String repositoryOf(String image) {
    String repository = image;
    int at = repository.indexOf('@');
    if (at >= 0) {
      repository = repository.substring(0, at);
    }
    int colon = repository.lastIndexOf(':');
    if (colon > repository.lastIndexOf('/')) {
      repository = repository.substring(0, colon);
    }
    return repository;
  }

  private static String write(List<ObjectNode> objects) {
    StringBuilder yaml = new StringBuilder();
    for (ObjectNode object : objects) {
      try {
        yaml.append("---\n").append(YAML.writeValueAsString(object));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return yaml.toString();
  }

  private static Path realRoot(Path workspace) {
    try {
      return workspace.toRealPath();
    } catch (IOException e) {
      throw new ManifestException("the workspace cannot be read: " + e.getMessage());
    }
  }

  /** {@code path} resolved to its real path; refused when it leaves {@code root}. */
  private static Path inside(Path root, String path, String field) {
    Path resolved = root.resolve(path).normalize();
    if (!resolved.startsWith(root)) {
      throw new ManifestException(field + ": " + path + " leaves the workspace");
    }
    Path real;
    try {
      real = resolved.toRealPath();
    } catch (IOException e) {
      throw new ManifestException(field + ": " + path + " does not exist in this commit");
    }
    if (!real.startsWith(root)) {
      throw new ManifestException(
          field + ": " + path + " is a link that leads outside the workspace; refused");
    }
    return real;
  }

  /** The manifests cannot be rendered; the message names what is at fault. */
  public static class ManifestException extends RuntimeException {
    public ManifestException(String message) {
      super(message, null, false, false);
    }
  }
}
