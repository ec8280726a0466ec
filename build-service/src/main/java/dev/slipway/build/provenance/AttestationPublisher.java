package dev.slipway.build.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.build.provenance.DistributionClient.RegistryCallException;
import dev.slipway.events.EventJson;
import dev.slipway.events.attestation.Dsse;
import dev.slipway.events.attestation.OciAttestations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Attaches signed statements to an image in its repository, in the layouts {@link OciAttestations}
 * describes: one OCI 1.1 referrer per statement, pushed by digest; the tag-schema fallback index
 * {@code sha256-<hex>} when the registry did not answer {@code OCI-Subject} (it has no referrers
 * API, as Distribution 2.8 has not); and cosign's {@code sha256-<hex>.att} image. The index and the
 * {@code .att} image are read, extended and written back, keeping what other tools put there;
 * within this instance one image's tags are rewritten by one build at a time. (Between instances a
 * lost update is possible on a registry without conditional writes: it takes two builds of one
 * digest attesting in the same instant.)
 */
final class AttestationPublisher {

  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);
  private static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";
  private static final Map<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final DistributionClient registry;
  private final ObjectMapper json = EventJson.mapper();

  AttestationPublisher(DistributionClient registry) {
    this.registry = registry;
  }

  /**
   * The image attestations refer to.
   *
   * @param mediaType its manifest's media type
   * @param digest its manifest's digest
   * @param size its manifest's size in bytes
   */
  record Subject(String mediaType, String digest, long size) {}

  /**
   * A signed statement to attach.
   *
   * @param predicateType the statement's predicate type
   * @param envelope the DSSE envelope as JSON
   */
  record SignedStatement(String predicateType, byte[] envelope) {}

  /**
   * What was written.
   *
   * @param referrers the referrer manifests' digests, in the order of the statements
   * @param referrersApi whether the registry indexed them itself (else the fallback tag lists them)
   * @param cosignManifest digest of the {@code .att} image now tagged
   */
  record Attached(List<String> referrers, boolean referrersApi, String cosignManifest) {}

  Attached attach(String repository, Subject subject, List<SignedStatement> statements)
      throws RegistryCallException {
    String created = Instant.now().toString();
    String emptyDigest = registry.pushBlob(repository, EMPTY);
    List<ObjectNode> layers = new ArrayList<>();
    List<ObjectNode> referrers = new ArrayList<>();
    boolean referrersApi = true;
    for (SignedStatement statement : statements) {
      // A new signature (ECDSA is randomized): no registry already has it.
      String layerDigest = registry.uploadBlob(repository, statement.envelope());
      ObjectNode layer = descriptor(Dsse.ENVELOPE_MEDIA_TYPE, layerDigest, statement.envelope());
      layer
          .putObject("annotations")
          .put(OciAttestations.COSIGN_SIGNATURE, "")
          .put(OciAttestations.COSIGN_PREDICATE_TYPE, statement.predicateType());
      layers.add(layer);
      byte[] manifest = referrer(emptyDigest, layer, subject, statement.predicateType(), created);
      DistributionClient.Pushed pushed =
          registry.putManifest(
              repository,
              DistributionClient.sha256(manifest),
              OciAttestations.OCI_MANIFEST,
              manifest);
      referrersApi &= pushed.subjectIndexed();
      ObjectNode entry = descriptor(OciAttestations.OCI_MANIFEST, pushed.digest(), manifest);
      entry.put("artifactType", Dsse.ENVELOPE_MEDIA_TYPE);
      entry
          .putObject("annotations")
          .put(OciAttestations.INTOTO_PREDICATE_TYPE, statement.predicateType())
          .put(OciAttestations.CREATED, created);
      referrers.add(entry);
    }
    ReentrantLock lock =
        LOCKS.computeIfAbsent(repository + "@" + subject.digest(), k -> new ReentrantLock());
    lock.lock();
    try {
      if (!referrersApi) {
        extendFallbackIndex(repository, subject.digest(), referrers);
      }
      String cosign = extendCosignImage(repository, subject.digest(), layers);
      return new Attached(
          referrers.stream().map(r -> r.get("digest").asText()).toList(), referrersApi, cosign);
    } finally {
      lock.unlock();
    }
  }

  private byte[] referrer(
      String emptyDigest, ObjectNode layer, Subject subject, String predicateType, String created) {
    ObjectNode manifest = json.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciAttestations.OCI_MANIFEST);
    manifest.put("artifactType", Dsse.ENVELOPE_MEDIA_TYPE);
    manifest.set("config", descriptor(OciAttestations.EMPTY_CONFIG, emptyDigest, EMPTY));
    manifest.putArray("layers").add(layer);
    manifest
        .putObject("subject")
        .put("mediaType", subject.mediaType())
        .put("digest", subject.digest())
        .put("size", subject.size());
    manifest
        .putObject("annotations")
        .put(OciAttestations.INTOTO_PREDICATE_TYPE, predicateType)
        .put(OciAttestations.CREATED, created);
    return write(manifest);
  }

  /** The OCI tag-schema fallback: the index tagged {@code sha256-<hex>} lists every referrer. */
  private void extendFallbackIndex(String repository, String digest, List<ObjectNode> referrers)
      throws RegistryCallException {
    String tag = OciAttestations.fallbackTag(digest);
    ObjectNode index = json.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", OciAttestations.OCI_INDEX);
    ArrayNode manifests = index.putArray("manifests");
    Set<String> listed = new HashSet<>();
    Optional<JsonNode> existing =
        read(registry.manifest(repository, tag), Set.of(OciAttestations.OCI_INDEX));
    existing.ifPresent(
        old ->
            old.path("manifests")
                .forEach(
                    entry -> {
                      if (listed.add(entry.path("digest").asText())) {
                        manifests.add(entry);
                      }
                    }));
    for (ObjectNode referrer : referrers) {
      if (listed.add(referrer.get("digest").asText())) {
        manifests.add(referrer);
      }
    }
    byte[] body = write(index);
    registry.putManifest(repository, tag, OciAttestations.OCI_INDEX, body);
  }

  /**
   * cosign's layout: the image tagged {@code sha256-<hex>.att} holds every attestation of the image
   * as a layer; its config lists them as cosign (go-containerregistry) writes it.
   */
  private String extendCosignImage(String repository, String digest, List<ObjectNode> added)
      throws RegistryCallException {
    String tag = OciAttestations.cosignTag(digest);
    List<JsonNode> layers = new ArrayList<>();
    Set<String> present = new HashSet<>();
    read(registry.manifest(repository, tag), Set.of(OciAttestations.OCI_MANIFEST, DOCKER_MANIFEST))
        .ifPresent(
            old ->
                old.path("layers")
                    .forEach(
                        layer -> {
                          if (present.add(layer.path("digest").asText())) {
                            layers.add(layer);
                          }
                        }));
    for (ObjectNode layer : added) {
      if (present.add(layer.get("digest").asText())) {
        layers.add(layer);
      }
    }
    ObjectNode config = json.createObjectNode();
    config.put("architecture", "");
    config.put("created", ZERO_TIME);
    ArrayNode history = config.putArray("history");
    ObjectNode rootfs = json.createObjectNode().put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    for (JsonNode layer : layers) {
      history.addObject().put("created", ZERO_TIME);
      diffIds.add(layer.path("digest").asText());
    }
    config.put("os", "");
    config.set("rootfs", rootfs);
    config.putObject("config");
    byte[] configBytes = write(config);
    String configDigest = registry.pushBlob(repository, configBytes);
    ObjectNode manifest = json.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", OciAttestations.OCI_MANIFEST);
    manifest.set("config", descriptor(OciAttestations.OCI_IMAGE_CONFIG, configDigest, configBytes));
    ArrayNode array = manifest.putArray("layers");
    layers.forEach(array::add);
    return registry
        .putManifest(repository, tag, OciAttestations.OCI_MANIFEST, write(manifest))
        .digest();
  }

  /** A manifest of one of {@code types} as JSON; anything else found under the tag is replaced. */
  private Optional<JsonNode> read(
      Optional<DistributionClient.Manifest> manifest, Set<String> types) {
    if (manifest.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode tree = json.readTree(manifest.get().bytes());
      String mediaType = tree.path("mediaType").asText(manifest.get().mediaType());
      return types.contains(mediaType) ? Optional.of(tree) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private ObjectNode descriptor(String mediaType, String digest, byte[] content) {
    ObjectNode descriptor = json.createObjectNode();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", digest);
    descriptor.put("size", content.length);
    return descriptor;
  }

  private byte[] write(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
