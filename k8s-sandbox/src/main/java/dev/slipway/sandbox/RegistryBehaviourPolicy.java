package dev.slipway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The standalone sandbox's policy: asks the image's registry, over the OCI distribution API, for
 * the image's config and reads its label {@value Behaviour#LABEL}. An image the registry does not
 * have cannot be pulled ({@link Behaviour#IMAGE_PULL_ERROR}), as on a real node. A registry that
 * cannot be reached, an image without the label or with an unknown value: {@code available}.
 */
public final class RegistryBehaviourPolicy implements BehaviourPolicy {

  private static final System.Logger LOG =
      System.getLogger(RegistryBehaviourPolicy.class.getName());
  private static final String MANIFEST_ACCEPT =
      "application/vnd.oci.image.manifest.v1+json"
          + ", application/vnd.docker.distribution.manifest.v2+json"
          + ", application/vnd.oci.image.index.v1+json"
          + ", application/vnd.docker.distribution.manifest.list.v2+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Set<String> insecureRegistries;
  private final HttpClient http;
  private final Map<String, Behaviour> byDigest = new ConcurrentHashMap<>();

  /**
   * @param insecureRegistries {@code host:port} of registries spoken to over plain HTTP
   */
  public RegistryBehaviourPolicy(Set<String> insecureRegistries) {
    this.insecureRegistries = Set.copyOf(insecureRegistries);
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  @Override
  public Behaviour behaviourOf(Deployment deployment) {
    String image = BehaviourPolicy.imageOf(deployment);
    String digest = BehaviourPolicy.digestOf(image);
    if (digest != null) {
      return byDigest.computeIfAbsent(digest, d -> ask(image));
    }
    return ask(image);
  }

  private Behaviour ask(String image) {
    ImageName name = ImageName.parse(image);
    if (name == null) {
      return Behaviour.AVAILABLE;
    }
    String base =
        (insecureRegistries.contains(name.registry()) ? "http://" : "https://") + name.registry();
    try {
      HttpResponse<byte[]> manifest =
          get(base + "/v2/" + name.repository() + "/manifests/" + name.reference());
      if (manifest.statusCode() == 404) {
        return Behaviour.IMAGE_PULL_ERROR;
      }
      if (manifest.statusCode() != 200) {
        LOG.log(
            System.Logger.Level.WARNING,
            "registry {0} answered HTTP {1} for {2}; treating it as available",
            name.registry(),
            manifest.statusCode(),
            image);
        return Behaviour.AVAILABLE;
      }
      JsonNode document = JSON.readTree(manifest.body());
      if (document.has("manifests")) {
        JsonNode first = document.get("manifests").get(0);
        if (first == null) {
          return Behaviour.IMAGE_PULL_ERROR;
        }
        manifest =
            get(base + "/v2/" + name.repository() + "/manifests/" + first.get("digest").asText());
        if (manifest.statusCode() != 200) {
          return Behaviour.IMAGE_PULL_ERROR;
        }
        document = JSON.readTree(manifest.body());
      }
      String configDigest = document.path("config").path("digest").asText(null);
      if (configDigest == null) {
        return Behaviour.AVAILABLE;
      }
      HttpResponse<byte[]> config =
          get(base + "/v2/" + name.repository() + "/blobs/" + configDigest);
      if (config.statusCode() != 200) {
        return Behaviour.IMAGE_PULL_ERROR;
      }
      String label =
          JSON.readTree(config.body())
              .path("config")
              .path("Labels")
              .path(Behaviour.LABEL)
              .asText(null);
      return label == null
          ? Behaviour.AVAILABLE
          : Behaviour.ofLabel(label).orElse(Behaviour.AVAILABLE);
    } catch (IOException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "registry {0} cannot be reached ({1}); treating {2} as available",
          name.registry(),
          e.toString(),
          image);
      return Behaviour.AVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Behaviour.AVAILABLE;
    }
  }

  private HttpResponse<byte[]> get(String uri) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(uri))
            .timeout(Duration.ofSeconds(5))
            .header("Accept", MANIFEST_ACCEPT)
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** An image reference split the way a container runtime splits it. */
  record ImageName(String registry, String repository, String reference) {

    /** The parts of {@code image}, or null when it names no registry this policy can ask. */
    static ImageName parse(String image) {
      if (image == null || image.isBlank()) {
        return null;
      }
      int slash = image.indexOf('/');
      if (slash < 0) {
        return null;
      }
      String registry = image.substring(0, slash);
      if (!registry.contains(".") && !registry.contains(":") && !registry.equals("localhost")) {
        return null;
      }
      String rest = image.substring(slash + 1);
      String digest = null;
      int at = rest.indexOf('@');
      if (at >= 0) {
        digest = rest.substring(at + 1);
        rest = rest.substring(0, at);
      }
      String tag = "latest";
      int colon = rest.lastIndexOf(':');
      if (colon > rest.lastIndexOf('/')) {
        tag = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
      return new ImageName(registry, rest, digest != null ? digest : tag);
    }
  }
}
