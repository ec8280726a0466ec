package dev.slipway.build.manifest;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplate;
import com.google.cloud.tools.jib.registry.RegistryClient;
import dev.slipway.events.RenderedManifests;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pushes a build's rendered manifests beside its image, through Jib's registry client, as one OCI
 * artifact: an OCI image manifest whose {@code artifactType} is {@link
 * RenderedManifests#MEDIA_TYPE}, with the empty config and one layer of YAML per environment titled
 * {@code <environment>.yaml}, tagged {@code sha256-<image digest hex>.manifests}.
 */
public final class ManifestPublisher {

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

  private final String registry;
  private final boolean insecure;
  private final Optional<Credential> credential;

  public ManifestPublisher(String registry, boolean insecure, Optional<Credential> credential) {
    this.registry = registry;
    this.insecure = insecure;
    this.credential = credential;
  }

  /**
   * Pushes {@code renderings} (environment to YAML) for the image {@code repository@imageDigest}.
   */
  public RenderedManifests push(
      String repository, String imageDigest, Map<String, String> renderings) {
    FailoverHttpClient http = new FailoverHttpClient(insecure, false, event -> {});
    try {
      RegistryClient.Factory factory =
          RegistryClient.factory(EventHandlers.NONE, registry, repository, http);
      credential.ifPresent(factory::setCredential);
      RegistryClient client = factory.newRegistryClient();
      if (credential.isPresent()) {
        client.configureBasicAuth();
      }
      DescriptorDigest config = pushBlob(client, EMPTY);
      List<Descriptor> layers = new ArrayList<>();
      for (Map.Entry<String, String> rendering : renderings.entrySet()) {
        byte[] yaml = rendering.getValue().getBytes(StandardCharsets.UTF_8);
        DescriptorDigest layer = pushBlob(client, yaml);
        layers.add(
            new Descriptor(
                RenderedManifests.MEDIA_TYPE,
                layer.toString(),
                yaml.length,
                Map.of("org.opencontainers.image.title", rendering.getKey() + ".yaml")));
      }
      ArtifactManifest manifest =
          new ArtifactManifest(
              RenderedManifests.MEDIA_TYPE,
              new Descriptor(EMPTY_CONFIG, config.toString(), EMPTY.length, null),
              layers);
      String tag = "sha256-" + imageDigest.substring(imageDigest.indexOf(':') + 1) + ".manifests";
      DescriptorDigest digest = client.pushManifest(manifest, tag);
      return new RenderedManifests(
          registry + "/" + repository, digest.toString(), List.copyOf(renderings.keySet()));
    } catch (IOException | RegistryException e) {
      throw new ManifestRenderer.ManifestException(
          "cannot push the rendered manifests: " + e.getMessage());
    } finally {
      try {
        http.shutDown();
      } catch (IOException e) {
        // connections of a finished push
      }
    }
  }

  private static DescriptorDigest pushBlob(RegistryClient client, byte[] content)
      throws IOException, RegistryException {
    DescriptorDigest digest;
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
      digest = DescriptorDigest.fromHash(HexFormat.of().formatHex(hash));
    } catch (NoSuchAlgorithmException | DigestException e) {
      throw new IllegalStateException(e);
    }
    if (client.checkBlob(digest).isEmpty()) {
      client.pushBlob(digest, Blobs.from(new ByteArrayInputStream(content)), null, count -> {});
    }
    return digest;
  }

  /** The artifact's manifest, serialized by Jib's JSON mapper field by field. */
  @JsonAutoDetect(
      fieldVisibility = Visibility.ANY,
      getterVisibility = Visibility.NONE,
      isGetterVisibility = Visibility.NONE)
  static final class ArtifactManifest implements ManifestTemplate {
    private final int schemaVersion = 2;
    private final String mediaType = OCI_MANIFEST;
    private final String artifactType;
    private final Descriptor config;
    private final List<Descriptor> layers;

    ArtifactManifest(String artifactType, Descriptor config, List<Descriptor> layers) {
      this.artifactType = artifactType;
      this.config = config;
      this.layers = layers;
    }

    @Override
    public int getSchemaVersion() {
      return schemaVersion;
    }

    @Override
    public String getManifestMediaType() {
      return mediaType;
    }
  }

  /** An OCI content descriptor. */
  @JsonAutoDetect(
      fieldVisibility = Visibility.ANY,
      getterVisibility = Visibility.NONE,
      isGetterVisibility = Visibility.NONE)
  @com.fasterxml.jackson.annotation.JsonInclude(
      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  static final class Descriptor implements JsonTemplate {
    private final String mediaType;
    private final String digest;
    private final long size;
    private final Map<String, String> annotations;

    Descriptor(String mediaType, String digest, long size, Map<String, String> annotations) {
      this.mediaType = mediaType;
      this.digest = digest;
      this.size = size;
      this.annotations = annotations;
    }
  }
}
