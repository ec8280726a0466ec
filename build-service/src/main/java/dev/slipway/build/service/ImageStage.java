package dev.slipway.build.service;

import com.google.cloud.tools.jib.api.Credential;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.executor.Cancellation;
import dev.slipway.build.image.BuildahBuilder;
import dev.slipway.build.image.ImageException;
import dev.slipway.build.image.ImageNames;
import dev.slipway.build.image.JibFilesBuilder;
import dev.slipway.build.image.PushedImage;
import dev.slipway.build.image.SbomPublisher;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.provenance.BuildFacts;
import dev.slipway.build.provenance.ProvenanceAttestor;
import dev.slipway.build.sbom.SbomGenerator;
import dev.slipway.build.spec.BuildSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The stages after the steps: the image (Buildah for a Dockerfile, Jib for files), pushed to the
 * configured registry as {@code registry/application:shortsha}, then the SBOM (the build's own or
 * generated from the lockfiles) pushed next to it as an OCI artifact.
 */
@ApplicationScoped
public class ImageStage {

  private final BuildConfig config;
  private final BuildahBuilder buildah;
  private final JibFilesBuilder jib;
  private final SbomPublisher sbomPublisher;
  private final SbomGenerator sboms = new SbomGenerator();
  private final ProvenanceAttestor provenance;

  public ImageStage(BuildConfig config, ProvenanceAttestor provenance) {
    this.config = config;
    this.provenance = provenance;
    BuildConfig.Registry registry = config.registry();
    Optional<Credential> credential =
        registry.username().flatMap(u -> registry.password().map(p -> Credential.from(u, p)));
    this.buildah =
        new BuildahBuilder(
            config.buildah().binary(),
            config.buildah().root(),
            config.buildah().runroot(),
            registry.insecure(),
            registry.username().flatMap(u -> registry.password().map(p -> u + ":" + p)));
    this.jib =
        new JibFilesBuilder(
            registry.address(), registry.insecure(), credential, config.cacheDir().resolve("jib"));
    this.sbomPublisher = new SbomPublisher(registry.address(), registry.insecure(), credential);
  }

  /**
   * What the stage produced.
   *
   * @param base the base image a {@code files} build was pinned to, null otherwise
   */
  public record Result(
      PushedImage image,
      SbomGenerator.Sbom sbom,
      String sbomRef,
      long sbomMs,
      BuildFacts.ResolvedImage base) {}

  /** Builds and pushes the image and its SBOM; records stage durations in {@code stages}. */
  public Result run(
      String application,
      String commitSha,
      String serial,
      Path workspace,
      BuildSpec spec,
      BuildLog log,
      Cancellation cancellation,
      Map<String, Long> stages) {
    String reference = ImageNames.reference(config.registry().address(), application, commitSha);
    log.info("==> image " + reference + " (" + spec.image().builder().name().toLowerCase() + ")");
    BuildFacts.ResolvedImage base = null;
    PushedImage image;
    if (spec.image().builder() == BuildSpec.Builder.DOCKERFILE) {
      image = buildah.build(workspace, spec.image(), reference, log, cancellation);
    } else {
      BuildSpec.Image files = spec.image();
      if (files.base() != null) {
        // Jib is given the base by digest, so the image is built on, and its provenance names,
        // exactly the image the tag named now.
        try {
          base = provenance.pin(files.base());
        } catch (ProvenanceAttestor.ProvenanceException e) {
          throw new ImageException("image", null, e.getMessage(), e);
        }
        log.info("==> base " + base.name() + " is " + base.digest());
        files = withBase(files, untagged(files.base()) + "@" + base.digest());
      }
      image = jib.build(workspace, files, reference, log, cancellation);
    }
    stages.put("image", image.buildMs());
    if (image.pushMs() > 0) {
      stages.put("push", image.pushMs());
    }
    log.info("==> pushed " + reference + "@" + image.digest());

    long sbomStart = System.nanoTime();
    SbomGenerator.Sbom sbom =
        spec.sbom() != null
            ? sboms.own(workspace, spec.sbom())
            : sboms.generate(
                workspace, application, commitSha.substring(0, ImageNames.SHORT_SHA), serial);
    String sbomRef = sbomPublisher.push(application, image.digest(), sbom.json());
    long sbomMs = (System.nanoTime() - sbomStart) / 1_000_000;
    stages.put("sbom", sbomMs);
    log.info(
        "==> SBOM: "
            + sbom.components()
            + " components from "
            + (sbom.sources().isEmpty() ? "no lockfile" : String.join(", ", sbom.sources()))
            + ", pushed as "
            + sbomRef);
    return new Result(image, sbom, sbomRef, sbomMs, base);
  }

  private static String untagged(String repository) {
    int colon = repository.lastIndexOf(':');
    return colon > repository.lastIndexOf('/') ? repository.substring(0, colon) : repository;
  }

  private static BuildSpec.Image withBase(BuildSpec.Image image, String base) {
    return new BuildSpec.Image(
        image.builder(),
        image.dockerfile(),
        image.context(),
        base,
        image.files(),
        image.workdir(),
        image.entrypoint(),
        image.port());
  }
}
