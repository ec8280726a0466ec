package dev.slipway.build.stage;

import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.provenance.BuildFacts;
import dev.slipway.build.provenance.ProvenanceAttestor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;

/**
 * Signs the image's SLSA provenance and its SBOM (DSSE, the key build-service holds) and attaches
 * both to the pushed image as OCI referrers (see {@link ProvenanceAttestor}). The provenance names
 * the {@code .slipway.yaml} digest taken when the file was read, before any step ran, and the
 * toolchain image the steps ran in by digest.
 */
@ApplicationScoped
public class ProvenanceStage implements Stage {

  private final BuildConfig config;
  private final ProvenanceAttestor provenance;

  public ProvenanceStage(BuildConfig config, ProvenanceAttestor provenance) {
    this.config = config;
    this.provenance = provenance;
  }

  @Override
  public String name() {
    return "provenance";
  }

  @Override
  public void run(BuildContext build) {
    try {
      ProvenanceAttestor.Attested attested =
          provenance.attest(
              facts(build), build.image(), build.base(), build.sbom().json(), build.sbomRef());
      build
          .log()
          .info(
              "==> provenance signed by "
                  + attested.keyId()
                  + ", attached as "
                  + (attested.referrersApi() ? "OCI referrers" : "OCI referrers (tag fallback)")
                  + " and for cosign: "
                  + attested.provenance()
                  + " (SLSA), "
                  + attested.sbom()
                  + " (SBOM)");
    } catch (ProvenanceAttestor.ProvenanceException e) {
      throw StageFailure.failed(name(), e.getMessage());
    }
  }

  private BuildFacts facts(BuildContext build) {
    var commit = build.commit();
    var source = commit.pipeline().source();
    String cloneUrl = source.cloneUrl() != null ? source.cloneUrl() : commit.repoUrl();
    String digest = build.configDigest();
    return new BuildFacts(
        build.application(),
        build.buildId(),
        build.claim().commit().runId(),
        build.claim().attempt(),
        commit.repoUrl(),
        cloneUrl,
        commit.ref(),
        commit.commitSha(),
        digest.startsWith("sha256:") ? digest.substring("sha256:".length()) : digest,
        build.spec(),
        config.executor().name().toLowerCase(Locale.ROOT),
        toolchain(build.toolchain()),
        build.start());
  }

  /** The steps' image when it is pinned by a registry digest ({@code name@sha256:...}). */
  private static List<BuildFacts.ResolvedImage> toolchain(String pinned) {
    if (pinned == null) {
      return List.of();
    }
    int at = pinned.lastIndexOf("@sha256:");
    return at < 0
        ? List.of()
        : List.of(new BuildFacts.ResolvedImage(pinned.substring(0, at), pinned.substring(at + 1)));
  }
}
