package dev.slipway.build.stage;

import com.google.cloud.tools.jib.api.Credential;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.image.ImageException;
import dev.slipway.build.image.ImageNames;
import dev.slipway.build.image.SbomPublisher;
import dev.slipway.build.sbom.ImageSbom;
import dev.slipway.build.sbom.SbomGenerator;
import dev.slipway.build.workspace.RepositoryPaths;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * The image's SBOM (the build's own, or generated from the lockfiles of the application's folder,
 * plus the OS packages read from the pushed image's layers), pushed next to the image as an OCI
 * artifact. The build's own file and every lockfile are read at their real paths inside the
 * checkout; a link leaving it is refused with its field and line.
 */
@ApplicationScoped
public class SbomStage implements Stage {

  private final SbomPublisher publisher;
  private final ImageSbom imageSbom;
  private final SbomGenerator sboms = new SbomGenerator();

  public SbomStage(BuildConfig config) {
    BuildConfig.Registry registry = config.registry();
    Optional<Credential> credential =
        registry.username().flatMap(u -> registry.password().map(p -> Credential.from(u, p)));
    this.publisher = new SbomPublisher(registry.address(), registry.insecure(), credential);
    this.imageSbom = new ImageSbom(registry.address(), registry.insecure(), credential);
  }

  @Override
  public String name() {
    return "sbom";
  }

  @Override
  public void run(BuildContext build) {
    try {
      long started = System.nanoTime();
      SbomGenerator.Sbom sbom =
          build.spec().sbom() != null
              ? sboms.own(
                  build.paths().resolve(build.spec().sbom(), build.spec().field("sbom")),
                  build.spec().sbom())
              : sboms.generate(
                  build.paths(),
                  build.paths().base(),
                  build.application(),
                  build.commit().commitSha().substring(0, ImageNames.SHORT_SHA),
                  build.buildId());
      long read = System.nanoTime();
      build.phases().took("sbom.lockfiles", (read - started) / 1_000_000);
      ImageSbom.Result withOs =
          imageSbom.addOsPackages(sbom, build.application(), build.image().digest());
      long osRead = System.nanoTime();
      build.phases().took("sbom.os-packages", (osRead - read) / 1_000_000);
      sbom = withOs.sbom();
      withOs.found().notes().forEach(note -> build.log().info("==> SBOM: " + note));
      String sbomRef = publisher.push(build.application(), build.image().digest(), sbom.json());
      build.phases().took("sbom.push", (System.nanoTime() - osRead) / 1_000_000);
      build.sbom(sbom, sbomRef);
      build
          .log()
          .info(
              "==> SBOM: "
                  + sbom.components()
                  + " components from "
                  + (sbom.sources().isEmpty() ? "no lockfile" : String.join(", ", sbom.sources()))
                  + ", pushed as "
                  + sbomRef);
    } catch (SbomGenerator.SbomException | RepositoryPaths.UnsafePathException e) {
      throw StageFailure.failed(name(), e.getMessage());
    } catch (ImageException e) {
      throw StageFailure.failed(e.stage(), e.getMessage());
    }
  }
}
