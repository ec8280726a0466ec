package dev.slipway.deploy.support;

import dev.slipway.events.RenderedManifests;
import dev.slipway.testsupport.OciRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Pushes rendered manifests to the real test registry as build-service does: one OCI artifact per
 * build, one layer of YAML per environment titled {@code <environment>.yaml}.
 */
public final class ManifestArtifacts {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ManifestArtifacts() {}

  /** Pushes {@code renderings} (environment to YAML) for {@code application}. */
  public static RenderedManifests push(String application, Map<String, String> renderings) {
    String repository = application + "-manifests";
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    String configDigest = OciRegistry.pushBlob(repository, config);
    List<String> layers = new ArrayList<>();
    for (Map.Entry<String, String> rendering : renderings.entrySet()) {
      byte[] yaml = rendering.getValue().getBytes(StandardCharsets.UTF_8);
      String digest = OciRegistry.pushBlob(repository, yaml);
      layers.add(
          """
          {"mediaType":"%s","digest":"%s","size":%d,\
          "annotations":{"org.opencontainers.image.title":"%s.yaml"}}"""
              .formatted(RenderedManifests.MEDIA_TYPE, digest, yaml.length, rendering.getKey()));
    }
    String manifest =
        """
        {"schemaVersion":2,"mediaType":"%s","artifactType":"%s",\
        "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":%d},\
        "layers":[%s]}"""
            .formatted(
                OciRegistry.OCI_MANIFEST,
                RenderedManifests.MEDIA_TYPE,
                configDigest,
                config.length,
                String.join(",", layers));
    try {
      HttpResponse<Void> response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://"
                              + OciRegistry.address()
                              + "/v2/"
                              + repository
                              + "/manifests/"
                              + UUID.randomUUID()))
                  .header("Content-Type", OciRegistry.OCI_MANIFEST)
                  .PUT(HttpRequest.BodyPublishers.ofString(manifest))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() != 201) {
        throw new IllegalStateException("manifest push failed: HTTP " + response.statusCode());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new RenderedManifests(
        OciRegistry.address() + "/" + repository,
        OciRegistry.digest(manifest.getBytes(StandardCharsets.UTF_8)),
        List.copyOf(renderings.keySet()));
  }
}
