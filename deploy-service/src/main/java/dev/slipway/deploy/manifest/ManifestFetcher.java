package dev.slipway.deploy.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.slipway.deploy.config.DeployConfig;
import dev.slipway.events.RenderedManifests;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Fetches an environment's rendering of an application's manifests from the OCI artifact
 * build-service pushed (OCI distribution API: the manifest by digest, then the layer titled {@code
 * <environment>.yaml}), verifying every digest, so what is applied is byte for byte what was
 * rendered at build time.
 */
@ApplicationScoped
public class ManifestFetcher {

  static final String TITLE = "org.opencontainers.image.title";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final int MAX_BYTES = 4 * 1024 * 1024;

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
  private final ObjectMapper json = JsonMapper.builder().build();
  private final Set<String> insecure;
  private final String authorization;

  public ManifestFetcher(DeployConfig config) {
    this.insecure = Set.copyOf(config.registry().insecure().orElse(List.of()));
    this.authorization =
        config
            .registry()
            .username()
            .flatMap(
                user ->
                    config
                        .registry()
                        .password()
                        .map(
                            password ->
                                "Basic "
                                    + Base64.getEncoder()
                                        .encodeToString(
                                            (user + ":" + password)
                                                .getBytes(StandardCharsets.UTF_8))))
            .orElse(null);
  }

  /**
   * The objects rendered for {@code environment}.
   *
   * @throws ManifestException when the artifact cannot be read, does not verify, has no rendering
   *     for the environment, or is not Kubernetes YAML
   */
  public ManifestSet fetch(RenderedManifests manifests, String environment) {
    String repository = manifests.repository();
    int slash = repository.indexOf('/');
    if (slash < 0) {
      throw new ManifestException("manifests repository " + repository + " names no registry");
    }
    String host = repository.substring(0, slash);
    String path = repository.substring(slash + 1);
    String base = (insecure.contains(host) ? "http://" : "https://") + host + "/v2/" + path;
    byte[] manifest = get(base + "/manifests/" + manifests.digest(), OCI_MANIFEST);
    verify(manifest, manifests.digest(), "the manifests artifact " + manifests.pinned());
    JsonNode layers;
    try {
      layers = json.readTree(manifest).path("layers");
    } catch (IOException e) {
      throw new ManifestException(manifests.pinned() + " is not an OCI manifest");
    }
    String title = environment + ".yaml";
    for (JsonNode layer : layers) {
      if (title.equals(layer.path("annotations").path(TITLE).asText())) {
        String digest = layer.path("digest").asText();
        byte[] yaml = get(base + "/blobs/" + digest, "*/*");
        verify(yaml, digest, "layer " + title + " of " + manifests.pinned());
        return ManifestParser.parse(new String(yaml, StandardCharsets.UTF_8), title);
      }
    }
    throw new ManifestException(
        "the manifests artifact %s has no rendering for environment %s (it has: %s)"
            .formatted(
                manifests.pinned(), environment, String.join(", ", manifests.environments())));
  }

  private byte[] get(String url, String accept) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(15))
            .header("Accept", accept)
            .GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ManifestException("the registry cannot be reached for " + url + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ManifestException("interrupted while fetching " + url);
    }
    if (response.statusCode() != 200) {
      throw new ManifestException(
          "the registry answered HTTP " + response.statusCode() + " for " + url);
    }
    if (response.body().length > MAX_BYTES) {
      throw new ManifestException(url + " is larger than " + MAX_BYTES + " bytes");
    }
    return response.body();
  }

  private static void verify(byte[] content, String digest, String what) {
    if (!digest.startsWith("sha256:")) {
      throw new ManifestException(what + ": only sha256 digests are accepted, not " + digest);
    }
    try {
      String actual =
          "sha256:"
              + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
      if (!actual.equals(digest)) {
        throw new ManifestException(what + " does not match its digest (got " + actual + ")");
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The manifests could not be fetched or read. */
  public static class ManifestException extends RuntimeException {
    public ManifestException(String message) {
      super(message, null, false, false);
    }
  }
}
