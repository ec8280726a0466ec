package dev.slipway.deploy.manifest;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The objects of one revision of an application in one environment, as its rendered manifests hold
 * them (namespaced into the environment's namespace), before Slipway labels them.
 *
 * @param objects the objects, each a generic resource (any kind, custom resources included)
 */
public record ManifestSet(List<GenericKubernetesResource> objects) {

  public ManifestSet {
    objects = List.copyOf(objects);
  }

  /** The references of its objects. */
  public List<ObjectRef> refs() {
    return objects.stream().map(ObjectRef::of).toList();
  }

  /**
   * The Deployment a canary replaces step by step: the one running the application's image
   * repository ({@code image}, without tag or digest), the one named after the application first.
   */
  public Optional<GenericKubernetesResource> primary(String application, String repository) {
    List<GenericKubernetesResource> running =
        objects.stream()
            .filter(o -> "Deployment".equals(o.getKind()))
            .filter(o -> runs(o, repository))
            .toList();
    return running.stream()
        .filter(o -> application.equals(o.getMetadata().getName()))
        .findFirst()
        .or(() -> running.stream().findFirst());
  }

  @SuppressWarnings("unchecked")
  private static boolean runs(GenericKubernetesResource deployment, String repository) {
    Object spec = deployment.getAdditionalProperties().get("spec");
    Object template = spec instanceof Map<?, ?> s ? s.get("template") : null;
    Object podSpec = template instanceof Map<?, ?> t ? t.get("spec") : null;
    Object containers = podSpec instanceof Map<?, ?> p ? p.get("containers") : null;
    if (!(containers instanceof List<?> list)) {
      return false;
    }
    for (Object container : list) {
      if (container instanceof Map<?, ?> c && c.get("image") instanceof String image) {
        if (Objects.equals(repositoryOf(image), repository)) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code image} without tag or digest. */
  public static String repositoryOf(String image) {
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

  /** As stored: a JSON array of the objects. */
  public String toJson() {
    return Serialization.asJson(objects);
  }

  /** Read back from {@link #toJson()}; null stays null. */
  public static ManifestSet fromJson(String json) {
    if (json == null) {
      return null;
    }
    try {
      List<GenericKubernetesResource> objects =
          Serialization.jsonMapper()
              .readValue(json, new TypeReference<List<GenericKubernetesResource>>() {});
      return new ManifestSet(objects);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stored manifests are unreadable", e);
    }
  }

  /** A deep copy of {@code object} with another type, e.g. as the typed fabric8 class. */
  public static HasMetadata typed(GenericKubernetesResource object) {
    return Serialization.unmarshal(Serialization.asJson(object), HasMetadata.class);
  }

  /** A deep copy of {@code object} as a generic resource. */
  public static GenericKubernetesResource generic(HasMetadata object) {
    return Serialization.unmarshal(Serialization.asJson(object), GenericKubernetesResource.class);
  }

  /** A copy of the objects, for changes. */
  public List<GenericKubernetesResource> copies() {
    List<GenericKubernetesResource> copies = new ArrayList<>();
    for (GenericKubernetesResource object : objects) {
      copies.add(
          Serialization.unmarshal(Serialization.asJson(object), GenericKubernetesResource.class));
    }
    return copies;
  }
}
