package dev.slipway.build.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.image.PushedImage;
import dev.slipway.build.provenance.DistributionClient.RegistryCallException;
import dev.slipway.events.EventJson;
import dev.slipway.events.attestation.Statement;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Signs and attaches what every pushed image carries: its SLSA v1 provenance and its SBOM, each an
 * in-toto statement in a DSSE envelope signed with the active key of {@link SigningKeyStore},
 * attached to the image as OCI referrers (or their tag-schema fallback) and in cosign's layout. The
 * statements name the image by the manifest digest the registry serves, read back and checked here,
 * never by tag. Also pins base images to digests before a build uses them, so the provenance names
 * exactly what the image was built on.
 */
@ApplicationScoped
public class ProvenanceAttestor {

  /** Annotation Buildah writes on an image built on a base: the base's manifest digest. */
  static final String BASE_DIGEST = "org.opencontainers.image.base.digest";

  /** Annotation Buildah writes on an image built on a base: the base as referenced. */
  static final String BASE_NAME = "org.opencontainers.image.base.name";

  private final BuildConfig.Registry settings;
  private final DistributionClient registry;
  private final AttestationPublisher publisher;
  private final SigningKeyStore keys;
  private final ProvenanceStatements statements;

  public ProvenanceAttestor(BuildConfig config, SigningKeyStore keys) {
    this.settings = config.registry();
    this.registry =
        new DistributionClient(
            settings.address(),
            settings.insecure(),
            settings.username(),
            settings.password(),
            Duration.ofSeconds(30));
    this.publisher = new AttestationPublisher(registry);
    this.keys = keys;
    this.statements =
        new ProvenanceStatements(
            config.provenance().builderId(),
            ConfigProvider.getConfig()
                .getOptionalValue("quarkus.application.version", String.class)
                .orElse("unknown"));
  }

  /**
   * What was attached.
   *
   * @param keyId the key that signed
   * @param provenance digest of the provenance's referrer manifest
   * @param sbom digest of the SBOM attestation's referrer manifest
   * @param referrersApi whether the registry indexed the referrers itself
   * @param cosignManifest digest of the cosign {@code .att} image
   * @param baseImages the base images the provenance names
   */
  public record Attested(
      String keyId,
      String provenance,
      String sbom,
      boolean referrersApi,
      String cosignManifest,
      List<BuildFacts.ResolvedImage> baseImages) {}

  /**
   * Signs and attaches the provenance and SBOM of {@code image}.
   *
   * @param pinnedBase the base image the builder was given by digest ({@link #pin}), or null (none,
   *     or the Dockerfile names it: then the image's base annotations say)
   * @param sbom the CycloneDX JSON pushed for the image
   * @param sbomRef where that SBOM was pushed
   */
  public Attested attest(
      BuildFacts facts,
      PushedImage image,
      BuildFacts.ResolvedImage pinnedBase,
      byte[] sbom,
      String sbomRef) {
    try {
      DistributionClient.Manifest manifest =
          registry
              .manifest(facts.application(), image.digest())
              .orElseThrow(
                  () ->
                      new ProvenanceException(
                          "the pushed image "
                              + image.reference()
                              + "@"
                              + image.digest()
                              + " is not in the registry"));
      List<BuildFacts.ResolvedImage> bases =
          pinnedBase != null ? List.of(pinnedBase) : annotatedBase(manifest);
      String name = settings.address() + "/" + facts.application();
      Statement provenance =
          statements.provenance(
              facts,
              name,
              image.digest(),
              bases,
              sbomRef,
              DistributionClient.sha256(sbom).substring("sha256:".length()),
              Instant.now());
      StatementSigner signer = new StatementSigner(keys.active());
      AttestationPublisher.Attached attached =
          publisher.attach(
              facts.application(),
              new AttestationPublisher.Subject(
                  manifest.mediaType(), manifest.digest(), manifest.bytes().length),
              List.of(
                  new AttestationPublisher.SignedStatement(
                      provenance.predicateType(), signer.sign(provenance).toJson()),
                  new AttestationPublisher.SignedStatement(
                      Statement.CYCLONEDX_BOM,
                      signer.sign(statements.sbom(name, image.digest(), sbom)).toJson())));
      return new Attested(
          keys.active().keyId(),
          attached.referrers().get(0),
          attached.referrers().get(1),
          attached.referrersApi(),
          attached.cosignManifest(),
          bases);
    } catch (RegistryCallException e) {
      throw new ProvenanceException("cannot attach the attestations: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ProvenanceException("cannot make the attestations: " + e.getMessage());
    }
  }

  /**
   * {@code repository:tag} of the configured registry resolved to the digest it names now, so a
   * build uses, and its provenance records, exactly that image.
   */
  public BuildFacts.ResolvedImage pin(String repositoryAndTag) {
    int colon = repositoryAndTag.lastIndexOf(':');
    boolean tagged = colon > repositoryAndTag.lastIndexOf('/');
    String repository = tagged ? repositoryAndTag.substring(0, colon) : repositoryAndTag;
    String tag = tagged ? repositoryAndTag.substring(colon + 1) : "latest";
    String name = settings.address() + "/" + repository + ":" + tag;
    try {
      return registry
          .manifest(repository, tag)
          .map(m -> new BuildFacts.ResolvedImage(name, m.digest()))
          .orElseThrow(
              () -> new ProvenanceException("the base image " + name + " is not in the registry"));
    } catch (RegistryCallException e) {
      throw new ProvenanceException(
          "cannot resolve the base image " + name + ": " + e.getMessage());
    }
  }

  private static List<BuildFacts.ResolvedImage> annotatedBase(
      DistributionClient.Manifest manifest) {
    try {
      JsonNode annotations = EventJson.mapper().readTree(manifest.bytes()).path("annotations");
      return Optional.ofNullable(annotations.get(BASE_DIGEST))
          .map(JsonNode::asText)
          .filter(d -> d.matches("sha256:[0-9a-f]{64}"))
          .map(
              digest ->
                  List.of(
                      new BuildFacts.ResolvedImage(
                          annotations.path(BASE_NAME).asText("unknown"), digest)))
          .orElse(List.of());
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Attestations could not be made or attached: the build fails at stage {@code provenance}. */
  public static final class ProvenanceException extends RuntimeException {
    public ProvenanceException(String message) {
      super(message);
    }
  }
}
