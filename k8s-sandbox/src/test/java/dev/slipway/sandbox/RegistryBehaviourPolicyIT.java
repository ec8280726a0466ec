package dev.slipway.sandbox;

import static dev.slipway.sandbox.Deployments.deployment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testsupport.OciRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryBehaviourPolicyIT {

  @Test
  void labelInTheImageConfigChoosesTheBehaviour() throws Exception {
    String registry = OciRegistry.address();
    String digest = pushImage("sandbox/crashy", "{\"" + Behaviour.LABEL + "\":\"crash-loop\"}");
    RegistryBehaviourPolicy policy = new RegistryBehaviourPolicy(Set.of(registry));

    Behaviour behaviour =
        policy.behaviourOf(deployment("ns", "web", registry + "/sandbox/crashy@" + digest, 1));

    assertThat(behaviour).isEqualTo(Behaviour.CRASH_LOOP);
  }

  @Test
  void imageWithoutTheLabelIsAvailable() throws Exception {
    String registry = OciRegistry.address();
    String digest = pushImage("sandbox/plain", "{\"maintainer\":\"ada\"}");
    RegistryBehaviourPolicy policy = new RegistryBehaviourPolicy(Set.of(registry));

    assertThat(
            policy.behaviourOf(deployment("ns", "web", registry + "/sandbox/plain@" + digest, 1)))
        .isEqualTo(Behaviour.AVAILABLE);
  }

  @Test
  void digestTheRegistryDoesNotHaveCannotBePulled() throws Exception {
    String registry = OciRegistry.address();
    pushImage("sandbox/known", "{}");
    RegistryBehaviourPolicy policy = new RegistryBehaviourPolicy(Set.of(registry));
    String missing = "sha256:" + "0".repeat(64);

    assertThat(
            policy.behaviourOf(deployment("ns", "web", registry + "/sandbox/known@" + missing, 1)))
        .isEqualTo(Behaviour.IMAGE_PULL_ERROR);
  }

  @Test
  void registryThatCannotBeReachedLeavesTheImageAvailable() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    String registry = "127.0.0.1:" + closed;
    RegistryBehaviourPolicy policy = new RegistryBehaviourPolicy(Set.of(registry));

    assertThat(
            policy.behaviourOf(
                deployment("ns", "web", registry + "/sandbox/x@sha256:" + "1".repeat(64), 1)))
        .isEqualTo(Behaviour.AVAILABLE);
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:5000/demo-shop@sha256:ab, 127.0.0.1:5000, demo-shop, sha256:ab",
    "127.0.0.1:5000/acme/shop:3f2a1c9, 127.0.0.1:5000, acme/shop, 3f2a1c9",
    "registry.example/acme/shop:1.0@sha256:cd, registry.example, acme/shop, sha256:cd",
    "localhost/shop, localhost, shop, latest",
  })
  void imageReferencesAreSplitLikeAContainerRuntimeDoes(
      String image, String registry, String repository, String reference) {
    assertThat(RegistryBehaviourPolicy.ImageName.parse(image))
        .isEqualTo(new RegistryBehaviourPolicy.ImageName(registry, repository, reference));
  }

  @Test
  void imageOnDockerHubIsNotAsked() {
    assertThat(RegistryBehaviourPolicy.ImageName.parse("library/nginx:1.27")).isNull();
    assertThat(RegistryBehaviourPolicy.ImageName.parse("nginx")).isNull();
  }

  /** Pushes a one-layer OCI image whose config carries {@code labels}; returns its digest. */
  private static String pushImage(String repository, String labels) throws Exception {
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":"
                + labels
                + "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] layer = "not really a tarball".getBytes(StandardCharsets.UTF_8);
    String configDigest = OciRegistry.pushBlob(repository, config);
    String layerDigest = OciRegistry.pushBlob(repository, layer);
    String manifest =
        """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
        "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
        "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}"""
            .formatted(configDigest, config.length, layerDigest, layer.length);
    HttpResponse<Void> put =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + OciRegistry.address()
                                + "/v2/"
                                + repository
                                + "/manifests/v1"))
                    .header("Content-Type", OciRegistry.OCI_MANIFEST)
                    .PUT(HttpRequest.BodyPublishers.ofString(manifest))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    assertThat(put.statusCode()).isEqualTo(201);
    return OciRegistry.digest(manifest.getBytes(StandardCharsets.UTF_8));
  }
}
