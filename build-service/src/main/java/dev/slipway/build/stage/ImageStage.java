package dev.slipway.build.stage;

import com.google.cloud.tools.jib.api.Credential;
import dev.slipway.build.BuildStatus;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.executor.ImageBuildRequest;
import dev.slipway.build.executor.StepExecutor;
import dev.slipway.build.image.ImageException;
import dev.slipway.build.image.ImageNames;
import dev.slipway.build.image.JibFilesBuilder;
import dev.slipway.build.image.PushedImage;
import dev.slipway.build.provenance.BuildFacts;
import dev.slipway.build.provenance.ProvenanceAttestor;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.build.workspace.RepositoryPaths;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the image and pushes it to the configured registry as {@code registry/application:
 * shortsha}: a Dockerfile with Buildah in the build's own container or pod (the executor's), files
 * with Jib on a base image. Every path {@code .slipway.yaml} names (Dockerfile, context, files) is
 * resolved inside the checkout first and refused with its field and line when a link leads out. The
 * stage has its own deadline ({@code slipway.build.image-deadline}).
 */
@ApplicationScoped
public class ImageStage implements Stage {

  private final BuildConfig config;
  private final StepExecutor executor;
  private final JibFilesBuilder jib;
  private final ProvenanceAttestor provenance;

  public ImageStage(BuildConfig config, StepExecutor executor, ProvenanceAttestor provenance) {
    this.config = config;
    this.executor = executor;
    this.provenance = provenance;
    BuildConfig.Registry registry = config.registry();
    Optional<Credential> credential =
        registry.username().flatMap(u -> registry.password().map(p -> Credential.from(u, p)));
    this.jib =
        new JibFilesBuilder(
            registry.address(), registry.insecure(), credential, config.cacheDir().resolve("jib"));
  }

  @Override
  public String name() {
    return "image";
  }

  @Override
  public boolean timed() {
    return false;
  }

  @Override
  public Optional<Duration> limit() {
    return Optional.of(config.imageDeadline());
  }

  @Override
  public void run(BuildContext build) {
    BuildSpec spec = build.spec();
    BuildSpec.Image image = spec.image();
    String reference =
        ImageNames.reference(
            config.registry().address(), build.application(), build.commit().commitSha());
    build.log().info("==> image " + reference + " (" + image.builder().name().toLowerCase() + ")");
    RepositoryPaths paths = new RepositoryPaths(build.workspace().source());
    try {
      PushedImage pushed;
      if (image.builder() == BuildSpec.Builder.DOCKERFILE) {
        Path dockerfile = paths.resolve(image.dockerfile(), spec.field("image.dockerfile"));
        Path context = paths.resolveTree(image.context(), spec.field("image.context"));
        if (!Files.isRegularFile(dockerfile)) {
          throw StageFailure.failed(
              name(), "no Dockerfile at " + image.dockerfile() + " in the workspace");
        }
        if (!Files.isDirectory(context)) {
          throw StageFailure.failed(
              name(), "image.context " + image.context() + " is not a folder of the workspace");
        }
        pushed =
            executor.buildImage(
                new ImageBuildRequest(
                    build.buildId(),
                    build.application(),
                    build.workspace(),
                    paths.root().relativize(dockerfile).toString(),
                    paths.root().relativize(context).toString(),
                    reference,
                    build.stageDeadline()),
                build.log(),
                build.cancellation());
      } else {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < image.files().size(); i++) {
          String file = image.files().get(i);
          Path path = paths.resolveTree(file, spec.field("image.files[" + i + "]"));
          if (!Files.exists(path)) {
            throw StageFailure.failed(
                name(), "image.files: " + file + " does not exist in the workspace");
          }
          files.add(path);
        }
        BuildSpec.Image pinned = image;
        if (image.base() != null) {
          // Jib is given the base by digest, so the image is built on, and its provenance names,
          // exactly the image the tag named now.
          BuildFacts.ResolvedImage base;
          try {
            base = provenance.pin(image.base());
          } catch (ProvenanceAttestor.ProvenanceException e) {
            throw StageFailure.failed(name(), e.getMessage());
          }
          build.base(base);
          build.log().info("==> base " + base.name() + " is " + base.digest());
          pinned = withBase(image, untagged(image.base()) + "@" + base.digest());
        }
        pushed = jib.build(files, pinned, reference, build.log(), build.cancellation());
      }
      build.image(pushed);
      build.took("image", pushed.buildMs());
      build.phases().took("image.build", pushed.buildMs());
      if (pushed.pushMs() > 0) {
        build.took("push", pushed.pushMs());
        build.phases().took("image.push", pushed.pushMs());
      }
      build.log().info("==> pushed " + reference + "@" + pushed.digest());
    } catch (RepositoryPaths.UnsafePathException e) {
      throw StageFailure.failed(name(), e.getMessage());
    } catch (ImageException e) {
      throw new StageFailure(BuildStatus.FAILED, e.stage(), e.exitCode(), e.getMessage());
    }
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
