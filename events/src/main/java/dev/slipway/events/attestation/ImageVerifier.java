package dev.slipway.events.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.events.EventFormatException;
import java.io.IOException;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether an image, named by digest, carries a Slipway provenance signed by a trusted key:
 * it collects every DSSE envelope attached to the image (the referrers API, else the OCI tag-schema
 * fallback index, and cosign's {@code .att} image), checks each signature with the trusted keys,
 * and accepts the image when at least one SLSA v1 provenance verifies and names the image's digest
 * as its subject. Every other envelope is reported with why it was not counted. Needs nothing but
 * the registry and the keys.
 */
public final class ImageVerifier {

  private final RegistryReader registry;
  private final DsseVerifier keys;
  private final ObjectMapper json = new ObjectMapper();

  public ImageVerifier(RegistryReader registry, List<ECPublicKey> trusted) {
    this.registry = registry;
    this.keys = new DsseVerifier(trusted);
  }

  /**
   * One envelope found, and what checking it showed.
   *
   * @param layer digest of the envelope's blob
   * @param foundIn where it was attached (referrer manifest, cosign tag)
   * @param predicateType the statement's predicate type, null when unreadable
   * @param keyId the key that verified it, or the one it names
   * @param problem why it does not count, null when it verified and names this image
   * @param provenance the provenance, when it is a verified SLSA v1 provenance of this image
   * @param components the SBOM's component count, when it is a verified SBOM of this image
   */
  public record Finding(
      String layer,
      List<String> foundIn,
      String predicateType,
      String keyId,
      String problem,
      SlsaProvenance provenance,
      Integer components) {}

  /**
   * The outcome.
   *
   * @param discovery how the referrers were found
   * @param findings every envelope attached to the image
   */
  public record Report(String discovery, List<Finding> findings) {
    /** Verified provenances of the image. */
    public List<SlsaProvenance> provenances() {
      return findings.stream()
          .filter(f -> f.provenance() != null)
          .map(Finding::provenance)
          .toList();
    }

    /** Whether at least one signed provenance names the image. */
    public boolean verified() {
      return !provenances().isEmpty();
    }
  }

  /** Checks {@code repository@digest}. */
  public Report verify(String repository, String digest) throws IOException {
    if (registry.manifest(repository, digest).isEmpty()) {
      throw new IOException("the registry has no image " + repository + "@" + digest);
    }
    Map<String, List<String>> envelopes = new LinkedHashMap<>();
    String discovery = collectReferrers(repository, digest, envelopes);
    String cosignTag = OciAttestations.cosignTag(digest);
    Optional<RegistryReader.Manifest> cosign = registry.manifest(repository, cosignTag);
    if (cosign.isPresent()) {
      for (JsonNode layer : tree(cosign.get().bytes()).path("layers")) {
        if (Dsse.ENVELOPE_MEDIA_TYPE.equals(layer.path("mediaType").asText())) {
          envelopes
              .computeIfAbsent(layer.path("digest").asText(), k -> new ArrayList<>())
              .add("cosign .att");
        }
      }
      discovery += "; cosign .att image";
    } else {
      discovery += "; no cosign .att image";
    }
    List<Finding> findings = new ArrayList<>();
    for (Map.Entry<String, List<String>> envelope : envelopes.entrySet()) {
      findings.add(check(repository, digest, envelope.getKey(), envelope.getValue()));
    }
    return new Report(discovery, findings);
  }

  private String collectReferrers(
      String repository, String digest, Map<String, List<String>> envelopes) throws IOException {
    Optional<byte[]> api = registry.referrers(repository, digest);
    String discovery;
    JsonNode index;
    if (api.isPresent()) {
      index = tree(api.get());
      discovery = "the referrers API";
    } else {
      String tag = OciAttestations.fallbackTag(digest);
      Optional<RegistryReader.Manifest> fallback = registry.manifest(repository, tag);
      index = fallback.map(m -> tree(m.bytes())).orElse(json.createObjectNode());
      discovery =
          "no referrers API, "
              + (fallback.isPresent() ? "tag-schema fallback index" : "no fallback index");
    }
    int referrers = 0;
    for (JsonNode entry : index.path("manifests")) {
      if (!Dsse.ENVELOPE_MEDIA_TYPE.equals(entry.path("artifactType").asText())) {
        continue;
      }
      String manifestDigest = entry.path("digest").asText();
      Optional<RegistryReader.Manifest> manifest = registry.manifest(repository, manifestDigest);
      if (manifest.isEmpty()) {
        continue;
      }
      JsonNode tree = tree(manifest.get().bytes());
      if (!digest.equals(tree.path("subject").path("digest").asText())) {
        continue;
      }
      referrers++;
      for (JsonNode layer : tree.path("layers")) {
        if (Dsse.ENVELOPE_MEDIA_TYPE.equals(layer.path("mediaType").asText())) {
          envelopes
              .computeIfAbsent(layer.path("digest").asText(), k -> new ArrayList<>())
              .add("referrer " + manifestDigest.substring(0, 19) + "…");
        }
      }
    }
    return referrers + " referrer(s) (" + discovery + ")";
  }

  private Finding check(String repository, String digest, String layer, List<String> foundIn)
      throws IOException {
    DsseEnvelope envelope;
    try {
      envelope = DsseEnvelope.read(registry.blob(repository, layer));
    } catch (EventFormatException e) {
      return problem(layer, foundIn, null, null, "not a DSSE envelope: " + e.getMessage());
    }
    DsseVerifier.Result signature = keys.verify(envelope);
    if (!Dsse.INTOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
      return problem(
          layer,
          foundIn,
          null,
          signature.keyId(),
          "payload type " + envelope.payloadType() + " is not an in-toto statement");
    }
    Statement statement;
    try {
      statement = Statement.read(envelope.body());
    } catch (EventFormatException e) {
      return problem(
          layer, foundIn, null, signature.keyId(), "not an in-toto statement: " + e.getMessage());
    }
    if (!signature.verified()) {
      return problem(
          layer, foundIn, statement.predicateType(), signature.keyId(), signature.problem());
    }
    if (!statement.isAbout(digest)) {
      return problem(
          layer,
          foundIn,
          statement.predicateType(),
          signature.keyId(),
          "validly signed, but about "
              + statement.subject().stream()
                  .map(s -> s.name() + "@sha256:" + s.digest().get("sha256"))
                  .toList()
              + ", not this image "
              + digest);
    }
    if (Statement.SLSA_PROVENANCE_V1.equals(statement.predicateType())) {
      try {
        SlsaProvenance provenance = SlsaProvenance.of(statement);
        return new Finding(
            layer, foundIn, statement.predicateType(), signature.keyId(), null, provenance, null);
      } catch (EventFormatException e) {
        return problem(
            layer,
            foundIn,
            statement.predicateType(),
            signature.keyId(),
            "signed, but not a SLSA provenance Slipway reads: " + e.getMessage());
      }
    }
    Integer components =
        Statement.CYCLONEDX_BOM.equals(statement.predicateType())
            ? statement.predicate().path("components").size()
            : null;
    return new Finding(
        layer, foundIn, statement.predicateType(), signature.keyId(), null, null, components);
  }

  private static Finding problem(
      String layer, List<String> foundIn, String predicateType, String keyId, String problem) {
    return new Finding(layer, foundIn, predicateType, keyId, problem, null, null);
  }

  private JsonNode tree(byte[] bytes) {
    try {
      return json.readTree(bytes);
    } catch (IOException e) {
      return json.createObjectNode();
    }
  }
}
