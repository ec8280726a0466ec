package dev.slipway.build.service;

import com.google.cloud.tools.jib.api.Credential;
import dev.slipway.build.config.BuildConfig;
import dev.slipway.build.image.PushedImage;
import dev.slipway.build.log.BuildLog;
import dev.slipway.build.manifest.ManifestPublisher;
import dev.slipway.build.manifest.ManifestRenderer;
import dev.slipway.build.spec.BuildSpec;
import dev.slipway.events.EnvironmentSpec;
import dev.slipway.events.RenderedManifests;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stage after the image: the application's own manifests rendered for every environment of its
 * pipeline, pinned to the image's digest, and pushed beside the image as one OCI artifact whose
 * digest travels in build.done.
 */
@ApplicationScoped
public class ManifestStage {

  private final ManifestRenderer renderer = new ManifestRenderer();
  private final ManifestPublisher publisher;

  public ManifestStage(BuildConfig config) {
    BuildConfig.Registry registry = config.registry();
    Optional<Credential> credential =
        registry.username().flatMap(u -> registry.password().map(p -> Credential.from(u, p)));
    this.publisher = new ManifestPublisher(registry.address(), registry.insecure(), credential);
  }

  /** Renders and pushes the manifests; logs what it did. */
  public RenderedManifests run(
      String application,
      Path workspace,
      BuildSpec.Deploy deploy,
      List<EnvironmentSpec> environments,
      PushedImage image,
      BuildLog log) {
    String pinned =
        new dev.slipway.events.BuildDone.ImageRef(image.reference(), image.digest()).pinned();
    Map<String, String> rendered =
        renderer.render(workspace, deploy, environments, application, pinned);
    RenderedManifests pushed = publisher.push(application, image.digest(), rendered);
    log.info(
        "==> manifests: "
            + deploy.manifests()
            + " rendered for "
            + (rendered.isEmpty() ? "no environment" : String.join(", ", rendered.keySet()))
            + ", images pinned to "
            + image.digest()
            + ", pushed as "
            + pushed.pinned());
    return pushed;
  }
}
