package dev.slipway.deploy.provenance;

import dev.slipway.events.attestation.Dsse;
import dev.slipway.events.attestation.DsseEnvelope;
import dev.slipway.events.attestation.OciAttestations;
import dev.slipway.events.attestation.PublicKeys;
import dev.slipway.events.attestation.SlsaProvenance;
import dev.slipway.events.attestation.Statement;
import dev.slipway.testsupport.OciRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Images in the real test registry and DSSE-signed SLSA provenances attached to them the way
 * build-service attaches them (an OCI 1.1 referrer and the tag-schema fallback index), signed by
 * the key deploy-service trusts in these tests or by one it does not.
 */
final class SignedImages {

  /** The build key deploy-service trusts under {@link ProvenanceProfile}. */
  static final KeyPair TRUSTED = newKey();

  /** A key nobody trusts. */
  static final KeyPair FOREIGN = newKey();

  static final String REPO = "https://git.example/acme/shop";

  private SignedImages() {}

  /** A PEM file of the trusted key's public half, under {@code target/}. */
  static String trustedKeysFile() {
    try {
      Path file = Path.of("target", "provenance-it", "trusted-build-keys.pem").toAbsolutePath();
      Files.createDirectories(file.getParent());
      Files.writeString(file, PublicKeys.toPem(TRUSTED.getPublic()));
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pushes a fresh one-layer image to {@code repository} and returns its manifest digest. */
  static String pushImage(String repository) {
    return OciRegistry.pushArtifact(
        repository,
        "v" + UUID.randomUUID().toString().substring(0, 8),
        "application/vnd.oci.image.layer.v1.tar",
        UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
  }

  /** A provenance statement as build-service writes it, about {@code repository@digest}. */
  static Statement provenance(String repository, String digest, String builder, String commit) {
    SlsaProvenance predicate =
        new SlsaProvenance(
            new SlsaProvenance.BuildDefinition(
                SlsaProvenance.BUILD_TYPE,
                new SlsaProvenance.ExternalParameters(
                    new SlsaProvenance.Source(REPO, "refs/heads/main", commit),
                    null,
                    List.of(),
                    null,
                    "files"),
                new SlsaProvenance.InternalParameters(repository, "build-1", "run-1", 1, "local"),
                List.of()),
            new SlsaProvenance.RunDetails(
                new SlsaProvenance.Builder(builder, Map.of()),
                new SlsaProvenance.BuildMetadata("build-1", Instant.now(), Instant.now()),
                List.of()));
    return new Statement(
        Statement.TYPE,
        List.of(Statement.Subject.ofOci(OciRegistry.address() + "/" + repository, digest)),
        Statement.SLSA_PROVENANCE_V1,
        predicate.toTree());
  }

  /** {@code statement} in a DSSE envelope signed by {@code key}. */
  static DsseEnvelope sign(Statement statement, KeyPair key) {
    byte[] body = statement.toJson();
    try {
      Signature signer = Signature.getInstance(PublicKeys.JCA_SIGNATURE);
      signer.initSign(key.getPrivate());
      signer.update(Dsse.pae(Dsse.INTOTO_PAYLOAD_TYPE, body));
      return new DsseEnvelope(
          Dsse.INTOTO_PAYLOAD_TYPE,
          Base64.getEncoder().encodeToString(body),
          List.of(
              new DsseEnvelope.Signature(
                  PublicKeys.keyId((ECPublicKey) key.getPublic()),
                  Base64.getEncoder().encodeToString(signer.sign()))));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Attaches {@code envelope} to {@code repository@image}: a referrer manifest whose subject is the
   * image, and the fallback index tagged {@code sha256-<hex>} listing it.
   */
  static void attach(String repository, String image, DsseEnvelope envelope) {
    byte[] layer = envelope.toJson();
    String layerDigest = OciRegistry.pushBlob(repository, layer);
    String emptyDigest = OciRegistry.pushBlob(repository, "{}".getBytes(StandardCharsets.UTF_8));
    int imageSize = OciRegistry.manifest(repository, image).getBytes(StandardCharsets.UTF_8).length;
    byte[] referrer =
        """
        {"schemaVersion":2,"mediaType":"%s","artifactType":"%s",\
        "config":{"mediaType":"%s","digest":"%s","size":2},\
        "layers":[{"mediaType":"%s","digest":"%s","size":%d}],\
        "subject":{"mediaType":"%s","digest":"%s","size":%d},\
        "annotations":{"%s":"%s"}}"""
            .formatted(
                OciAttestations.OCI_MANIFEST,
                Dsse.ENVELOPE_MEDIA_TYPE,
                OciAttestations.EMPTY_CONFIG,
                emptyDigest,
                Dsse.ENVELOPE_MEDIA_TYPE,
                layerDigest,
                layer.length,
                OciAttestations.OCI_MANIFEST,
                image,
                imageSize,
                OciAttestations.INTOTO_PREDICATE_TYPE,
                Statement.SLSA_PROVENANCE_V1)
            .getBytes(StandardCharsets.UTF_8);
    String referrerDigest = OciRegistry.digest(referrer);
    OciRegistry.pushManifest(repository, referrerDigest, OciAttestations.OCI_MANIFEST, referrer);
    byte[] index =
        """
        {"schemaVersion":2,"mediaType":"%s","manifests":[\
        {"mediaType":"%s","digest":"%s","size":%d,"artifactType":"%s"}]}"""
            .formatted(
                OciAttestations.OCI_INDEX,
                OciAttestations.OCI_MANIFEST,
                referrerDigest,
                referrer.length,
                Dsse.ENVELOPE_MEDIA_TYPE)
            .getBytes(StandardCharsets.UTF_8);
    OciRegistry.pushManifest(
        repository, OciAttestations.fallbackTag(image), OciAttestations.OCI_INDEX, index);
  }

  private static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
