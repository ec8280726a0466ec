package dev.slipway.deploy.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads multi-document Kubernetes YAML into objects; empty documents are skipped. */
public final class ManifestParser {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ManifestParser() {}

  /**
   * The objects of {@code yaml}; {@code source} names it in errors. A {@code List} kind is
   * flattened into its items.
   */
  public static ManifestSet parse(String yaml, String source) {
    List<GenericKubernetesResource> objects = new ArrayList<>();
    try (JsonParser parser = YAML.getFactory().createParser(yaml);
        MappingIterator<JsonNode> documents = YAML.readValues(parser, JsonNode.class)) {
      int index = 0;
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        index++;
        if (document == null || document.isNull() || document.isMissingNode()) {
          continue;
        }
        if (!document.isObject()) {
          throw new ManifestFetcher.ManifestException(
              source + " document " + index + " is not a Kubernetes object");
        }
        if (document.path("kind").asText().endsWith("List") && document.has("items")) {
          for (JsonNode item : document.path("items")) {
            objects.add(object(item, source, index));
          }
        } else {
          objects.add(object(document, source, index));
        }
      }
    } catch (IOException e) {
      throw new ManifestFetcher.ManifestException(
          source + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return new ManifestSet(objects);
  }

  private static GenericKubernetesResource object(JsonNode node, String source, int index) {
    if (node.path("apiVersion").asText().isEmpty()
        || node.path("kind").asText().isEmpty()
        || node.path("metadata").path("name").asText().isEmpty()) {
      throw new ManifestFetcher.ManifestException(
          source + " document " + index + " lacks apiVersion, kind or metadata.name");
    }
    return YAML.convertValue(node, GenericKubernetesResource.class);
  }
}
