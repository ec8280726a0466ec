package dev.slipway.build.image;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.blob.Blobs;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import com.google.cloud.tools.jib.json.JsonTemplate;
import com.google.cloud.tools.jib.registry.RegistryClient;
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
 * The platform registry as build-service talks to it through Jib's registry client: one client per
 * repository and call, with the registry's credential, and the one shape of artifact Slipway pushes
 * beside an image (SBOM, rendered manifests): an OCI image manifest with an {@code artifactType},
 * the empty config and its layers, tagged {@code sha256-<image digest hex>.<kind>}.
 */
public final class OciArtifacts {

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String EMPTY_CONFIG = "application/vnd.oci.empty.v1+json";
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

  private final String registry;
  private final boolean insecure;
  private final Optional<Credential> credential;

  public OciArtifacts(String registry, boolean insecure, Optional<Credential> credential) {
    this.registry = registry;
    this.insecure = insecure;
    this.credential = credential;
  }

  /** The registry's address, e.g. {@code registry.example:5000}. */
  public String registry() {
    return registry;
  }

  /** What is done with a client of one repository. */
  @FunctionalInterface
  public interface RegistryCall<T> {
    T call(RegistryClient client) throws IOException, RegistryException;
  }

  /** Runs {@code call} with a client of {@code repository}; its connections are closed after. */
  public <T> T with(String repository, RegistryCall<T> call) throws IOException, RegistryException {
    FailoverHttpClient http = new FailoverHttpClient(insecure, false, event -> {});
    try {
      RegistryClient.Factory factory =
          RegistryClient.factory(EventHandlers.NONE, registry, repository, http);
      credential.ifPresent(factory::setCredential);
      RegistryClient client = factory.newRegistryClient();
      if (credential.isPresent()) {
        client.configureBasicAuth();
      }
      return call.call(client);
    } finally {
      try {
        http.shutDown();
      } catch (IOException e) {
        // connections of a finished call
      }
    }
  }

  /**
   * One layer of an artifact.
   *
   * @param annotations the descriptor's annotations, e.g. {@code org.opencontainers.image.title};
   *     none when null
   */
  public record Layer(String mediaType, byte[] content, Map<String, String> annotations) {}

  /**
   * Pushes an artifact of {@code artifactType} for the image {@code imageDigest} into {@code
   * repository}, tagged {@code sha256-<hex>.<kind>}; blobs the registry has already are not sent
   * again.
   *
   * @return the digest of the artifact's manifest
   */
  public DescriptorDigest push(
      String repository, String imageDigest, String kind, String artifactType, List<Layer> layers)
      throws IOException, RegistryException {
    return with(
        repository,
        client -> {
          DescriptorDigest config = pushBlob(client, EMPTY);
          List<Descriptor> descriptors = new ArrayList<>();
          for (Layer layer : layers) {
            DescriptorDigest digest = pushBlob(client, layer.content());
            descriptors.add(
                new Descriptor(
                    layer.mediaType(),
                    digest.toString(),
                    layer.content().length,
                    layer.annotations()));
          }
          ArtifactManifest manifest =
              new ArtifactManifest(
                  artifactType,
                  new Descriptor(EMPTY_CONFIG, config.toString(), EMPTY.length, null),
                  descriptors);
          String tag = "sha256-" + imageDigest.substring(imageDigest.indexOf(':') + 1) + "." + kind;
          return client.pushManifest(manifest, tag);
        });
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

  /** An OCI content descriptor (annotations left out when there are none). */
  @JsonAutoDetect(
      fieldVisibility = Visibility.ANY,
      getterVisibility = Visibility.NONE,
      isGetterVisibility = Visibility.NONE)
  @JsonInclude(JsonInclude.Include.NON_NULL)
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
